"""Encryption of backup files, streamed in chunks so that a dump of many gigabytes never sits in memory
(nor, decrypted, on disk).

The key comes from the environment (``MEDINSURE_BACKUP_KEY``): a Fernet key (urlsafe base64 of 32 bytes,
``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``) or a
passphrase of at least 16 characters (stretched with scrypt). Each file gets its own key, derived from
the secret and a random salt with HKDF-SHA256, so no two files share a key.

The format (in the spirit of age's STREAM construction), all integers big-endian::

    header  = b"medinsure-backup/v1\\n" | kdf (1 byte: 0 key, 1 passphrase) | salt (16 bytes)
    frame*  = length (4 bytes) | AES-256-GCM(chunk)   — every chunk is CHUNK bytes but the last

The nonce of chunk *i* is *i* on 11 bytes followed by 1 for the last chunk and 0 otherwise, and the
header is the associated data of every chunk: a changed, reordered, dropped or added chunk, a file cut
short (no chunk marked last), a changed header or a wrong key all fail to decrypt — nothing is returned
from a chunk that does not authenticate.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"medinsure-backup/v1\n"
KDF_KEY, KDF_PASSPHRASE = 0, 1
SALT_BYTES = 16
HEADER_BYTES = len(MAGIC) + 1 + SALT_BYTES
CHUNK = 1 << 20  # 1 MiB of plain text per chunk
TAG = 16
MIN_PASSPHRASE = 16


class BackupKeyError(Exception):
    """The key is unusable or the file does not decrypt with it; the message is for the operator (Chinese)."""


def parse_secret(value: str) -> tuple[int, bytes]:
    """``MEDINSURE_BACKUP_KEY`` → (kdf, secret bytes): a Fernet-style key is used as it is, anything else
    is a passphrase, refused when shorter than MIN_PASSPHRASE."""
    value = (value or "").strip()
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) == 32 and len(value) == 44:
        return KDF_KEY, raw
    if len(value) < MIN_PASSPHRASE:
        raise BackupKeyError(
            f"MEDINSURE_BACKUP_KEY 无效：应为 Fernet 密钥（32 字节的 base64）或不少于 {MIN_PASSPHRASE} 个字符的口令。"
        )
    return KDF_PASSPHRASE, value.encode("utf-8")


def _file_key(kdf: int, secret: bytes, salt: bytes) -> bytes:
    material = secret
    if kdf == KDF_PASSPHRASE:
        material = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(secret)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"medinsure backup v1").derive(material)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


class EncryptingWriter:
    """A write-only binary file that encrypts what it is given, CHUNK bytes at a time, into ``path``.
    ``close()`` writes the last chunk; a writer left unclosed leaves a file that will not decrypt."""

    def __init__(self, path: Path, key_value: str, *, chunk: int = CHUNK):
        kdf, secret = parse_secret(key_value)
        salt = os.urandom(SALT_BYTES)
        self._header = MAGIC + bytes([kdf]) + salt
        self._aead = AESGCM(_file_key(kdf, secret, salt))
        self._chunk = chunk
        self._buffer = bytearray()
        self._counter = 0
        self._file = open(path, "wb")  # noqa: SIM115 - closed by close()
        self._file.write(self._header)
        self.closed = False

    def _emit(self, data: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._counter, last), data, self._header)
        self._file.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) > self._chunk:  # keep at least one byte back: the last chunk is never empty…
            self._emit(bytes(self._buffer[: self._chunk]), last=False)
            del self._buffer[: self._chunk]
        return len(data)

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        if self.closed:
            return
        self._emit(bytes(self._buffer), last=True)  # …unless the whole file is empty
        self._buffer.clear()
        self._file.close()
        self.closed = True

    def abort(self) -> None:
        self._file.close()
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_exc):
        if exc_type is None:
            self.close()
        else:
            self.abort()


def decrypted_chunks(path: Path, key_value: str) -> Iterator[bytes]:
    """The plain text of an encrypted file, chunk by chunk, each chunk authenticated before it is
    yielded; raises BackupKeyError at the first chunk that does not decrypt or at a file cut short."""
    with open(path, "rb") as f:
        header = f.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
            raise BackupKeyError("不是加密的备份文件。")
        kdf, salt = header[len(MAGIC)], header[len(MAGIC) + 1 :]
        if kdf not in (KDF_KEY, KDF_PASSPHRASE):
            raise BackupKeyError("加密备份的文件头已损坏。")
        given_kdf, secret = parse_secret(key_value)
        if given_kdf != kdf:
            raise BackupKeyError("无法解密：该备份用的是另一种密钥（Fernet 密钥与口令不同）。")
        aead = AESGCM(_file_key(kdf, secret, salt))
        counter = 0
        while True:
            length = f.read(4)
            if len(length) < 4:
                raise BackupKeyError("无法解密：备份文件不完整（被截断）。")
            (size,) = struct.unpack(">I", length)
            if size < TAG or size > CHUNK + TAG:
                raise BackupKeyError("无法解密：备份文件已损坏。")
            sealed = f.read(size)
            if len(sealed) < size:
                raise BackupKeyError("无法解密：备份文件不完整（被截断）。")
            for last in (False, True):
                try:
                    plain = aead.decrypt(_nonce(counter, last), sealed, header)
                except InvalidTag:
                    continue
                break
            else:
                if counter == 0:
                    raise BackupKeyError("无法解密：密钥不对，或备份文件已损坏。")
                raise BackupKeyError("无法解密：备份文件已损坏或被改动。")
            counter += 1
            if last:
                if f.read(1):
                    raise BackupKeyError("无法解密：备份文件末尾有多余的数据。")
                if plain:
                    yield plain
                return
            yield plain


def verify(path: Path, key_value: str) -> int:
    """Decrypt the whole file without keeping anything; return the plain size. Raises BackupKeyError."""
    return sum(len(chunk) for chunk in decrypted_chunks(path, key_value))


class DecryptingReader:
    """A read-only binary file over ``decrypted_chunks`` (what ``tarfile`` in stream mode reads)."""

    def __init__(self, path: Path, key_value: str):
        self._chunks = decrypted_chunks(path, key_value)
        self._buffer = bytearray()
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                self._done = True
        if size < 0:
            size = len(self._buffer)
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def close(self) -> None:
        self._chunks.close()
