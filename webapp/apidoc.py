"""The API described: ``/api/`` answers its OpenAPI 3.1 description (JSON), ``/docs/api`` a page
for people, in Vietnamese, with examples (both need a login, like everything else).

Why one table, :data:`ENDPOINTS`: the description and the page are made from it, and a test
checks that every route under ``/api/`` is in it, so neither falls behind the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request

from archive import __version__

bp = Blueprint("apidoc", __name__)
NAV: list[tuple[str, str, str]] = []

SEARCH_PARAMS = (
    ("q", "string", "Từ khóa: có dấu là đúng chữ đó, không dấu là mọi cách viết; ngoặc kép, AND / OR / NOT."),
    ("series", "string", "Mã bản tin, ví dụ ttshcb, tbnb."),
    ("from", "integer", "Từ năm."), ("to", "integer", "Đến năm."), ("month", "integer", "Tháng (1–12)."),
    ("section", "string", "Chuyên mục."), ("kind", "string", "Loại: tin, bai, hoi-dap, van-ban, khac."),
    ("topic", "string", "Chủ đề (mã)."), ("ref", "string", "Văn bản được dẫn, ví dụ 21-NQ/TW."),
    ("min_conf", "integer", "Độ tin cậy OCR tối thiểu (0–100)."),
    ("target", "string", "articles (tin, bài) hoặc pages (trang)."),
    ("sort", "string", "relevance, date hoặc -date."), ("fuzzy", "integer", "1: tìm cả cách viết gần đúng."),
    ("page", "integer", "Trang kết quả."), ("per_page", "integer", "Số kết quả mỗi trang (≤ 200)."),
)


@dataclass(frozen=True)
class Endpoint:
    path: str  # OpenAPI form, {name} for a path parameter
    summary: str  # Vietnamese, one line
    media: str  # what it answers
    params: tuple[tuple[str, str, str], ...] = ()  # query parameters (name, type, description)
    example: str = ""  # the tail of a curl example (after the base address)
    methods: tuple[str, ...] = ("get",)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("/api/", "Mô tả OpenAPI này.", "application/json", example="/api/"),
    Endpoint("/api/me", "Tài khoản đang dùng: name, role, auth (session hoặc token).", "application/json",
             example="/api/me"),
    Endpoint("/api/search", "Tìm kiếm, như `bantin search --json`: total, query_key, index_version, hits,"
             " facets, search.", "application/json", SEARCH_PARAMS, "/api/search?q=nghi+quyet+21&series=tbnb"),
    Endpoint("/api/search/export.{fmt}", "Mọi kết quả (danh sách), fmt = csv hoặc json.", "text/csv",
             SEARCH_PARAMS, "/api/search/export.csv?q=chuyen+doi+so"),
    Endpoint("/api/search/records.{fmt}", "Bản ghi đầy đủ của mọi kết quả (tiêu đề, tác giả, ngày, chuyên mục,"
             " chủ đề, văn bản được dẫn, toàn văn; mỗi bản ghi mang query_key), fmt = csv, json hoặc jsonl.",
             "application/x-ndjson", SEARCH_PARAMS, "/api/search/records.jsonl?q=tham+nhung&from=2010"),
    Endpoint("/api/issues", "Các số báo (lọc theo series, year).", "application/json",
             (("series", "string", "Mã bản tin."), ("year", "integer", "Năm.")), "/api/issues?series=ttshcb&year=2012"),
    Endpoint("/api/issues/{issue_id}", "Một số báo, các trang và tin, bài của nó.", "application/json",
             example="/api/issues/ttshcb-2012-07"),
    Endpoint("/api/pages/{issue_id}/{seq}", "Một trang: văn bản, các chữ với khung (tỉ lệ trang) và độ tin cậy.",
             "application/json", example="/api/pages/ttshcb-2012-07/1"),
    Endpoint("/api/articles/{article_id}", "Một tin, bài: như `bantin export articles`, thêm issue_id,"
             " topic_evidence.", "application/json", example="/api/articles/ttshcb-2012-07-p1-98b9"),
    Endpoint("/oai", "OAI-PMH 2.0 (Dublin Core, oai_dc): Identify, ListMetadataFormats, ListSets,"
             " ListIdentifiers, ListRecords, GetRecord.", "text/xml",
             (("verb", "string", "Động từ OAI-PMH."), ("metadataPrefix", "string", "oai_dc."),
              ("identifier", "string", "oai:bantin.local:a/<mã bài> hoặc oai:bantin.local:i/<mã số>."),
              ("set", "string", "Mã bản tin."), ("from", "string", "Ngày giờ UTC."),
              ("until", "string", "Ngày giờ UTC."),
              ("resumptionToken", "string", "Mã để lấy phần tiếp theo của danh sách.")),
             "/oai?verb=ListRecords&metadataPrefix=oai_dc&set=tbnb", ("get", "post")),
    Endpoint("/download/{issue_id}.pdf", "Cả số báo dạng PDF: bản gốc nếu là PDF, nếu không thì ghép từ ảnh"
             " trang kèm lớp chữ ẩn để tìm, chép được.", "application/pdf", example="/download/ttshcb-2012-07.pdf"),
    Endpoint("/download/{issue_id}/{seq}.jpg", "Ảnh trang, độ phân giải đầy đủ.", "image/jpeg",
             example="/download/ttshcb-2012-07/1.jpg"),
)


def _parameters(ep: Endpoint) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in ep.path.split("{")[1:]:
        name = part.split("}", 1)[0]
        schema: dict[str, Any] = {"type": "integer"} if name == "seq" else {"type": "string"}
        if name == "fmt":
            schema["enum"] = ["csv", "json", "jsonl"] if "records" in ep.path else ["csv", "json"]
        out.append({"name": name, "in": "path", "required": True, "schema": schema})
    out += [{"name": n, "in": "query", "required": False, "schema": {"type": t}, "description": d}
            for n, t, d in ep.params]
    return out


def openapi(base_url: str) -> dict[str, Any]:
    errors = {"description": "Lỗi: {\"error\": \"…\", \"status\": N}", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}
    paths: dict[str, Any] = {}
    for ep in ENDPOINTS:
        ops = {}
        for method in ep.methods:
            ops[method] = {
                "summary": ep.summary, "operationId": f"{method}_{ep.path.strip('/').replace('/', '_') or 'root'}"
                .replace("{", "").replace("}", "").replace(".", "_").replace("-", "_"),
                "parameters": _parameters(ep),
                "responses": {"200": {"description": "Thành công.", "content": {ep.media: {}}},
                              "401": errors, "404": errors}}
        paths[ep.path] = ops
    return {
        "openapi": "3.1.0",
        "info": {"title": "Bản tin API", "version": __version__,
                 "description": "API của thư viện Bản tin (tài liệu lưu hành nội bộ). Cần đăng nhập: phiên"
                                " trình duyệt hoặc mã truy cập cá nhân (Authorization: Bearer …). Tên trường là"
                                " công khai: chỉ thêm, không đổi tên. Hướng dẫn: /docs/api."},
        "servers": [{"url": base_url}],
        "security": [{"token": []}, {"session": []}],
        "components": {
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer",
                          "description": "Mã truy cập cá nhân: `bantin user token TÊN` hoặc trang /account."},
                "session": {"type": "apiKey", "in": "cookie", "name": "bantin_session"}},
            "schemas": {"Error": {"type": "object", "required": ["error", "status"], "properties": {
                "error": {"type": "string"}, "status": {"type": "integer"}}}}},
        "paths": paths,
    }


def _base() -> str:
    return current_app.config.get("BASE_URL") or request.url_root.rstrip("/")


@bp.get("/api/")
def description() -> Any:
    return jsonify(openapi(_base()))


@bp.get("/docs/api")
def page() -> Any:
    return render_template("apidoc/api.html", endpoints=ENDPOINTS, base=_base(), search_params=SEARCH_PARAMS)
