from decimal import Decimal as D

import pytest

from supervision.rules.penalties import FineBasis as B
from supervision.rules.penalties import FineError as E
from supervision.rules.penalties import FineInput, Target, compute_fine

P, INST = Target.PERSON, Target.INSTITUTION


@pytest.mark.parametrize(
    "target,basis,obtained,multiple,stated,amount,error",
    [
        # insured persons: 2 to 5 times what was obtained
        (P, B.PERSON_FRAUD, D("1000"), D("2"), None, D("2000.00"), None),
        (P, B.PERSON_FRAUD, D("1000"), D("5"), None, D("5000.00"), None),
        (P, B.PERSON_FRAUD, D("333.33"), D("2.5"), None, D("833.33"), None),
        (P, B.PERSON_FRAUD, D("1000"), D("1.99"), None, D("0.00"), E.MULTIPLE_OUT_OF_RANGE),
        (P, B.PERSON_FRAUD, D("1000"), D("5.01"), None, D("0.00"), E.MULTIPLE_OUT_OF_RANGE),
        (P, B.PERSON_FRAUD, D("1000"), None, None, D("0.00"), E.MULTIPLE_REQUIRED),
        (P, B.PERSON_FRAUD, D("0"), D("3"), None, D("0.00"), E.OBTAINED_REQUIRED),
        (P, B.ART38, D("1000"), D("1"), None, D("0.00"), E.BASIS_NOT_ALLOWED),
        (P, B.AGREEMENT, D("1000"), None, D("10"), D("0.00"), E.BASIS_NOT_ALLOWED),
        (P, B.NONE, D("0"), None, None, D("0.00"), None),
        # institutions: art. 38 1-2x, art. 40 2-5x, 违约金 a stated amount
        (INST, B.ART38, D("10000"), D("1"), None, D("10000.00"), None),
        (INST, B.ART38, D("10000"), D("2"), None, D("20000.00"), None),
        (INST, B.ART38, D("10000"), D("2.5"), None, D("0.00"), E.MULTIPLE_OUT_OF_RANGE),
        (INST, B.ART40, D("10000"), D("1.5"), None, D("0.00"), E.MULTIPLE_OUT_OF_RANGE),
        (INST, B.ART40, D("10000"), D("3"), None, D("30000.00"), None),
        (INST, B.AGREEMENT, D("0"), None, D("8800.5"), D("8800.50"), None),
        (INST, B.AGREEMENT, D("0"), None, None, D("0.00"), E.AMOUNT_REQUIRED),
        (INST, B.AGREEMENT, D("0"), None, D("-1"), D("0.00"), E.NEGATIVE),
        (INST, B.PERSON_FRAUD, D("100"), D("3"), None, D("0.00"), E.BASIS_NOT_ALLOWED),
    ],
)
def test_fine(target, basis, obtained, multiple, stated, amount, error):
    r = compute_fine(FineInput(target, basis, obtained, multiple, stated))
    assert (r.amount, r.error) == (amount, error)
    if error:
        assert r.field
