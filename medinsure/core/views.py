from django.shortcuts import render
from django.views.decorators.http import require_safe

from medinsure.navigation import menu_for


@require_safe
def home(request):
    return render(request, "home.html", {"sections": menu_for(request.user)})


def _error_page(request, status: int, title: str, message: str):
    from django.http import JsonResponse

    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, "error.html", {"title": title, "message": message}, status=status)


def too_large(request, limit: int):
    """The request (usually an upload) is larger than the site accepts."""
    from django.template.defaultfilters import filesizeformat
    from django.utils.translation import gettext as _

    return _error_page(
        request,
        413,
        _("提交的内容过大"),
        _("提交的内容超过上限 %(limit)s，请压缩或拆分文件后重新上传。")
        % {"limit": filesizeformat(limit).replace("\xa0", " ")},
    )


def bad_request(request, exception=None):
    """handler400: Django refuses a request it cannot parse (too much form data, too many fields,
    a malformed multipart body). Say so in Chinese instead of a bare 'Bad Request'."""
    from django.conf import settings
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
    from django.utils.translation import gettext as _

    if isinstance(exception, RequestDataTooBig):
        return too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        message = _("提交的字段或文件数量过多，请分批提交。")
    else:
        message = _("请求格式不正确，无法处理。请返回上一页重新填写后提交。")
    return _error_page(request, 400, _("请求无效"), message)


def not_found(request, exception=None):
    """handler404: an API client gets DRF's JSON shape ({"detail": …}) also for a URL that matches no
    route (an id that is not a number, a misspelt path); pages keep Django's own 404 page."""
    from django.utils.translation import gettext as _
    from django.views.defaults import page_not_found

    if request.path_info.startswith("/api/"):
        return _error_page(request, 404, _("未找到"), _("未找到：地址不存在，或所指的记录不存在。"))
    return page_not_found(request, exception)


def bad_query(request, name: str, problem: str):
    """A filter value refused by QueryParamsGuardMiddleware (the parameter is named)."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    if problem == "too_long":
        message = _("查询参数“%(name)s”过长（最多 %(limit)s 个字符），请修改筛选条件。") % {
            "name": name,
            "limit": getattr(settings, "QUERY_PARAM_MAX_LENGTH", 1000),
        }
    else:
        message = _("查询参数“%(name)s”含有不允许的控制字符，请修改筛选条件。") % {"name": name}
    return _error_page(request, 400, _("查询条件无效"), message)
