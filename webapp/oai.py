"""OAI-PMH 2.0 at ``/oai``: harvesters copy the catalog's records (Dublin Core, ``oai_dc``)
into their own systems, as archives exchange metadata.

Behind the same login as the JSON API: a personal token (``Authorization: Bearer …``, made with
``bantin user token NAME`` or on ``/account``) or a session, because the bulletins circulate
internally only. GET and POST (form-encoded) are both answered, as the protocol requires.

The six verbs (Identify, ListMetadataFormats, ListSets, ListIdentifiers, ListRecords,
GetRecord) and the protocol's errors (badVerb, badArgument, cannotDisseminateFormat,
idDoesNotExist, noRecordsMatch, badResumptionToken, noMetadataFormats is never needed: every
record has ``oai_dc``). Records are listed by :mod:`webapp.oairecords`.

**Resumption tokens** carry their own state, signed with the app's secret key (HMAC-SHA256),
so no server keeps them and any process of ``bantin serve`` answers them: the list's filters,
the key of the last record sent (records are listed in key order, so records added or changed
meanwhile never shift the pages), the cursor, and the moment the harvest started. A harvest
without ``until`` is pinned to that moment, so its ``completeListSize`` holds from the first
page to the last; a record changed during the harvest is picked up by the next one (``from``).
A token expires after :data:`TOKEN_LIFETIME` seconds (``expirationDate``); an expired,
altered or foreign token is ``badResumptionToken``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, Response, current_app, request

from webapp import db, oairecords
from webapp.oairecords import ARTICLE, ISSUE, Header, Selection

bp = Blueprint("oai", __name__)
NAV: list[tuple[str, str, str]] = []

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_XSD = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
DC_PREFIX = "oai_dc"
DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_XSD = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_ELEMENTS = "http://purl.org/dc/elements/1.1/"
ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
ID_XSD = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PAGE_SIZE = 100  # records per answer of a list verb (Flask config OAI_PAGE_SIZE overrides)
TOKEN_LIFETIME = 24 * 3600  # seconds a resumption token stays valid
REPOSITORY_NAME = "Bản tin — Thư viện bản tin nội bộ"

# verb → (required arguments, optional arguments); resumptionToken is exclusive
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class OaiError(Exception):
    """A protocol error: ``code`` is the OAI error code; the message (Vietnamese, like the rest
    of the interface) says what was wrong."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- XML ------------------------------------------------------------------------------------

def _text(value: str) -> str:
    return escape(_BAD_XML.sub("", value))


def _el(tag: str, text: str = "", **attrs: str) -> str:
    attr = "".join(f" {k.replace('_', ':', 1) if k.startswith('xml_') else k}={quoteattr(_BAD_XML.sub('', v))}"
                   for k, v in attrs.items())
    return f"<{tag}{attr}>{_text(text)}</{tag}>"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _envelope(body: str, args: dict[str, str] | None) -> Response:
    """The OAI-PMH document: ``args`` echoed on ``<request>`` (None after badVerb/badArgument,
    as the protocol wants)."""
    request_attrs = "".join(f" {k}={quoteattr(_BAD_XML.sub('', v))}" for k, v in sorted((args or {}).items()))
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI}" xsi:schemaLocation="{OAI_NS} {OAI_XSD}">\n'
           f"<responseDate>{_now()}</responseDate>\n"
           f"<request{request_attrs}>{_text(_base_url())}</request>\n{body}\n</OAI-PMH>\n")
    return Response(xml, mimetype="text/xml", headers={"Content-Type": "text/xml; charset=utf-8"})


def _base_url() -> str:
    base = current_app.config.get("BASE_URL") or request.url_root.rstrip("/")
    return base + "/oai"


def _site() -> str:
    return current_app.config.get("BASE_URL") or request.url_root.rstrip("/")


# --- identifiers ----------------------------------------------------------------------------

def _repository() -> str:
    return str(current_app.config["BANTIN"].oai_repository)


def identifier(head: Header) -> str:
    return f"oai:{_repository()}:{head.kind}/{head.local_id}"


def _parse_identifier(value: str) -> tuple[str, str] | None:
    prefix = f"oai:{_repository()}:"
    if not value.startswith(prefix):
        return None
    kind, _, local = value[len(prefix):].partition("/")
    if kind not in (ARTICLE, ISSUE) or not local:
        return None
    return kind, local


# --- resumption tokens ----------------------------------------------------------------------

def _sign(data: bytes) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return base64.urlsafe_b64encode(hmac.new(key, b"oai|" + data, hashlib.sha256).digest()[:18]).decode()


def make_token(state: dict[str, Any]) -> str:
    data = base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{data}.{_sign(data.encode())}"


def read_token(token: str, verb: str) -> dict[str, Any]:
    """The state a token carries, or :class:`OaiError` badResumptionToken."""
    data, _, signature = token.partition(".")
    if not data or not hmac.compare_digest(signature, _sign(data.encode())):
        raise OaiError("badResumptionToken", "resumptionToken này không do kho này cấp.")
    try:
        state = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    except ValueError:
        raise OaiError("badResumptionToken", "Không đọc được resumptionToken.") from None
    if state.get("v") != verb:
        raise OaiError("badResumptionToken", f"resumptionToken này cấp cho {state.get('v')}, không phải {verb}.")
    if time.time() > float(state.get("t", 0)) + TOKEN_LIFETIME:
        raise OaiError("badResumptionToken", "resumptionToken đã hết hạn; hãy bắt đầu lại danh sách.")
    return state


def _resumption(state: dict[str, Any] | None, cursor: int, total: int) -> str:
    """The ``resumptionToken`` element: a token while records remain, an empty one on the
    last page of a resumed list, nothing when the whole list fit in one answer."""
    if state is not None:
        expires = _stamp(float(state["t"]) + TOKEN_LIFETIME)
        return _el("resumptionToken", make_token(state), expirationDate=expires,
                   completeListSize=str(total), cursor=str(cursor))
    if cursor:
        return _el("resumptionToken", "", completeListSize=str(total), cursor=str(cursor))
    return ""


# --- arguments ------------------------------------------------------------------------------

def _arguments() -> dict[str, str]:
    source = request.form if request.method == "POST" else request.args
    args: dict[str, str] = {}
    for key in source:
        values = source.getlist(key)
        if len(values) > 1:
            raise OaiError("badVerb" if key == "verb" else "badArgument", f"Tham số '{key}' bị lặp lại.")
        args[key] = values[0]
    return args


def _check(args: dict[str, str]) -> str:
    verb = args.get("verb", "")
    if verb not in VERBS:
        raise OaiError("badVerb", f"'{verb}' không phải động từ OAI-PMH." if verb else "Thiếu tham số verb.")
    required, optional = VERBS[verb]
    given = set(args) - {"verb"}
    unknown = given - required - optional
    if unknown:
        raise OaiError("badArgument", f"{verb} không nhận tham số: {', '.join(sorted(unknown))}.")
    if "resumptionToken" in given:
        if given != {"resumptionToken"}:
            raise OaiError("badArgument", "resumptionToken phải được gửi một mình (chỉ kèm verb).")
        return verb
    missing = required - given
    if missing:
        raise OaiError("badArgument", f"{verb} cần tham số: {', '.join(sorted(missing))}.")
    return verb


def _bound(value: str, *, end: bool) -> tuple[str, str]:
    """A from/until argument as a datestamp bound and its granularity."""
    if _SECOND.fullmatch(value):
        return value, "second"
    if _DAY.fullmatch(value):
        try:
            datetime.strptime(value, "%Y-%m-%d")
        except ValueError:
            raise OaiError("badArgument", f"'{value}' không phải một ngày.") from None
        return value + ("T23:59:59Z" if end else "T00:00:00Z"), "day"
    raise OaiError("badArgument", f"'{value}' không phải ngày giờ UTC (YYYY-MM-DD hoặc YYYY-MM-DDThh:mm:ssZ).")


def _prefix(value: str) -> None:
    if value != DC_PREFIX:
        raise OaiError("cannotDisseminateFormat", f"Không có định dạng siêu dữ liệu '{value}'; hãy dùng oai_dc.")


# --- the endpoint ---------------------------------------------------------------------------

@bp.route("/oai", methods=["GET", "POST"])
def endpoint() -> Response:
    args: dict[str, str] | None = None
    try:
        parsed = _arguments()
        verb = _check(parsed)
        args = parsed
        body = VIEWS[verb](args)
    except OaiError as e:
        echo = None if e.code in ("badVerb", "badArgument") else args
        return _envelope(_el("error", str(e), code=e.code), echo)
    return _envelope(body, args)


def identify(args: dict[str, str]) -> str:
    catalog = db.catalog()
    config = current_app.config["BANTIN"]
    email = config.oai_admin_email or f"quantri@{config.oai_repository}"
    earliest = oairecords.earliest(catalog) or _now()
    sample = f"oai:{config.oai_repository}:{ARTICLE}/ttshcb-2012-07-p3-1a2b"
    description = (f'<description><oai-identifier xmlns="{ID_NS}" xsi:schemaLocation="{ID_NS} {ID_XSD}">'
                   f"{_el('scheme', 'oai')}{_el('repositoryIdentifier', config.oai_repository)}"
                   f"{_el('delimiter', ':')}{_el('sampleIdentifier', sample)}</oai-identifier></description>")
    return ("<Identify>" + _el("repositoryName", REPOSITORY_NAME) + _el("baseURL", _base_url())
            + _el("protocolVersion", "2.0") + _el("adminEmail", email)
            + _el("earliestDatestamp", earliest) + _el("deletedRecord", "persistent")
            + _el("granularity", "YYYY-MM-DDThh:mm:ssZ") + description + "</Identify>")


def list_metadata_formats(args: dict[str, str]) -> str:
    if "identifier" in args:
        _header_of(args["identifier"])  # idDoesNotExist when unknown
    return ("<ListMetadataFormats><metadataFormat>" + _el("metadataPrefix", DC_PREFIX)
            + _el("schema", DC_XSD) + _el("metadataNamespace", DC_NS)
            + "</metadataFormat></ListMetadataFormats>")


def list_sets(args: dict[str, str]) -> str:
    if "resumptionToken" in args:
        raise OaiError("badResumptionToken", "ListSets trả lời trong một lần, không cấp resumptionToken.")
    rows = "".join("<set>" + _el("setSpec", spec) + _el("setName", name) + "</set>"
                   for spec, name in oairecords.sets(db.catalog()))
    return f"<ListSets>{rows}</ListSets>"


def _header_of(value: str) -> Header:
    parsed = _parse_identifier(value)
    head = oairecords.header(db.catalog(), *parsed) if parsed else None
    if head is None:
        raise OaiError("idDoesNotExist", f"Không có bản ghi nào mang định danh '{value}'.")
    return head


def get_record(args: dict[str, str]) -> str:
    _prefix(args["metadataPrefix"])
    head = _header_of(args["identifier"])
    return f"<GetRecord>{_record(head)}</GetRecord>"


def _header_xml(head: Header) -> str:
    status = ' status="deleted"' if head.deleted else ""
    spec = _el("setSpec", head.series) if head.series else ""
    return f"<header{status}>{_el('identifier', identifier(head))}{_el('datestamp', head.datestamp)}{spec}</header>"


def _record(head: Header) -> str:
    if head.deleted:
        return f"<record>{_header_xml(head)}</record>"
    fields = oairecords.dublin_core(db.catalog(), head, _site())
    return f"<record>{_header_xml(head)}<metadata>{oai_dc(fields)}</metadata></record>"


def oai_dc(fields: Iterable[tuple[str, str]]) -> str:
    inner = "".join(_el(f"dc:{name}", value, **({"xml_lang": "vi"} if name in ("title", "description") else {}))
                    for name, value in fields if value)
    return (f'<oai_dc:dc xmlns:oai_dc="{DC_NS}" xmlns:dc="{DC_ELEMENTS}" '
            f'xsi:schemaLocation="{DC_NS} {DC_XSD}">{inner}</oai_dc:dc>')


def _list(verb: str, args: dict[str, str]) -> str:
    catalog = db.catalog()
    if "resumptionToken" in args:
        old = read_token(args["resumptionToken"], verb)
        sel = Selection(old.get("s", ""), old.get("f", ""), old.get("u", ""))
        after: tuple[str, str] | None = (str(old["k"][0]), str(old["k"][1])) if old.get("k") else None
        cursor, started = int(old.get("c", 0)), float(old["t"])
    else:
        _prefix(args["metadataPrefix"])
        start = end = ""
        grains = []
        if "from" in args:
            start, grain = _bound(args["from"], end=False)
            grains.append(grain)
        if "until" in args:
            end, grain = _bound(args["until"], end=True)
            grains.append(grain)
        if len(set(grains)) > 1:
            raise OaiError("badArgument", "from và until phải cùng độ chi tiết (cùng là ngày, hoặc cùng là ngày giờ).")
        started = time.time()
        pinned = _stamp(started)
        end = min(end, pinned) if end else pinned
        set_spec = args.get("set", "")
        if set_spec and set_spec not in oairecords.series_codes(catalog):
            raise OaiError("noRecordsMatch", f"Không có tập hợp (set) '{set_spec}'.")
        sel = Selection(set_spec, start, end)
        after, cursor = None, 0
    size = int(current_app.config.get("OAI_PAGE_SIZE", PAGE_SIZE))
    heads = oairecords.headers(catalog, sel, after=after, limit=size + 1)
    if not heads and cursor == 0:
        raise OaiError("noRecordsMatch", "Không có bản ghi nào khớp với các tham số này.")
    more = len(heads) > size
    heads = heads[:size]
    total = oairecords.count(catalog, sel)
    state: dict[str, Any] | None = None
    if more:
        state = {"v": verb, "s": sel.set_spec, "f": sel.start, "u": sel.end, "k": list(heads[-1].key),
                 "c": cursor + len(heads), "t": started}
    items = "".join(_header_xml(h) if verb == "ListIdentifiers" else _record(h) for h in heads)
    token = _resumption(state, cursor, total) if (more or cursor) else ""
    return f"<{verb}>{items}{token}</{verb}>"


def list_identifiers(args: dict[str, str]) -> str:
    return _list("ListIdentifiers", args)


def list_records(args: dict[str, str]) -> str:
    return _list("ListRecords", args)


VIEWS = {"Identify": identify, "ListMetadataFormats": list_metadata_formats, "ListSets": list_sets,
         "ListIdentifiers": list_identifiers, "ListRecords": list_records, "GetRecord": get_record}
