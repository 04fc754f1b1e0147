"""The VSME report: values written into a copy of EFRAG's VSME Digital Template.

openpyxl cannot be used to save the template: loading and re-saving drops its checkboxes, its
drop-down validations (x14 extensions) and its images. So the template's zip is copied entry by
entry and only the cells we fill are patched inside the sheets' XML text: every other byte of
every part stays as EFRAG wrote it. The workbook is marked to be fully recalculated when opened.

`cells` maps a named range (an XBRL concept of the template, e.g. "Turnover") or "'Sheet'!A1" to
a value (diagnostic.core.vsme.template_values builds it). An input cell gets the value; a cell
holding a formula only accepts a FormulaResult, written as the formula's cached result (the
formula itself is kept). A named range of several cells is written in its top-left cell.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

from diagnostic.core.vsme import FormulaResult
from diagnostic.exports.excel import formula_like, safe_text
from diagnostic.vsme_files import template_path

_MAIN = "xl/workbook.xml"
_RELS = "xl/_rels/workbook.xml.rels"


class TemplateError(Exception):
    """The cells cannot be written into this template (a programming or template-version error)."""


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _split(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", ref)
    if not m:
        raise TemplateError(f"not a cell reference: {ref}")
    return int(m.group(2)), _col_number(m.group(1))


def _sheet_paths(files: Mapping[str, bytes]) -> dict[str, str]:
    """Sheet name -> its part in the zip (xl/worksheets/sheetN.xml)."""
    workbook = files[_MAIN].decode("utf-8")
    rels = files[_RELS].decode("utf-8")
    targets = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        rel_id, rel_target = re.search(r'\bId="([^"]+)"', rel), re.search(r'\bTarget="([^"]+)"', rel)
        if rel_id and rel_target:
            targets[rel_id.group(1)] = rel_target.group(1)
    out = {}
    for sheet in re.findall(r"<sheet\b[^>]*>", workbook):
        name, rid = re.search(r'\bname="([^"]+)"', sheet), re.search(r'\br:id="([^"]+)"', sheet)
        if name and rid and rid.group(1) in targets:
            target = targets[rid.group(1)]
            out[html.unescape(name.group(1))] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


def defined_names(workbook_xml: str) -> dict[str, tuple[str, str]]:
    """Global named range -> (sheet name, top-left cell) of the template's workbook.xml."""
    out = {}
    for attrs, ref in re.findall(r"<definedName\b([^>]*)>([^<]*)</definedName>", workbook_xml):
        if "localSheetId" in attrs:
            continue
        name = re.search(r'\bname="([^"]+)"', attrs)
        m = re.fullmatch(r"(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)(?::.*)?", html.unescape(ref))
        if name and m:
            sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
            out[name.group(1)] = (sheet, f"{m.group(3)}{m.group(4)}")
    return out


def _resolve(key: str, names: Mapping[str, tuple[str, str]]) -> tuple[str, str]:
    m = re.fullmatch(r"'((?:[^']|'')+)'!([A-Z]{1,3}\d+)", key)
    if m:
        return m.group(1).replace("''", "'"), m.group(2)
    if key in names:
        return names[key]
    raise TemplateError(f"the template has no named range '{key}'")


def _text(value: str) -> str:
    text = safe_text(value)
    return "'" + text if formula_like(text) else text  # as the workbook export does


def _number(value: float) -> str:
    return repr(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _cell_xml(ref: str, attrs: str, value: object, formula: str | None) -> str:
    """One <c> element; `attrs` are the existing cell's attributes besides r and t (style, array metadata)."""
    s = attrs
    if isinstance(value, FormulaResult):
        if formula is None:
            raise TemplateError(f"{ref} holds no formula: give it a plain value")
        v = value.value
        if isinstance(v, bool):
            return f'<c r="{ref}"{s} t="b">{formula}<v>{int(v)}</v></c>'
        if isinstance(v, int | float):
            return f'<c r="{ref}"{s}>{formula}<v>{_number(v)}</v></c>'
        return f'<c r="{ref}"{s} t="str">{formula}<v>{escape(safe_text(v))}</v></c>'
    if formula is not None:
        raise TemplateError(f"{ref} holds a formula of the template: it is never overwritten")
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{_number(value)}</v></c>'
    if isinstance(value, str):
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(_text(value))}</t></is></c>'
    raise TemplateError(f"{ref}: cannot write a {type(value).__name__}")


_CELL = re.compile(r'<c r="([A-Z]{1,3})(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)


def _patch_row(row_xml: str, row: int, col: int, value: object) -> str:
    """The row element with one cell written (kept in column order)."""
    open_end = row_xml.index(">") + 1
    if row_xml[open_end - 2] == "/":  # an empty <row .../>
        head, body, tail = row_xml[: open_end - 2] + ">", "", "</row>"
    else:
        head, body, tail = row_xml[:open_end], row_xml[open_end : -len("</row>")], "</row>"
    ref = f"{_letters(col)}{row}"
    for m in _CELL.finditer(body):
        c = _col_number(m.group(1))
        if c < col:
            continue
        if c == col:
            formula = re.search(r"<f\b.*?(?:/>|</f>)", m.group(4) or "", re.S)
            if formula:  # keep what the formula cell carries (style, array-formula metadata)
                attrs = re.sub(r'\s+t="[^"]*"', "", m.group(3)).rstrip()
            else:  # an input cell keeps its style only
                style = re.search(r'\bs="\d+"', m.group(3))
                attrs = " " + style.group(0) if style else ""
            new = _cell_xml(ref, attrs, value, formula.group(0) if formula else None)
            return head + body[: m.start()] + new + body[m.end() :] + tail
        return head + body[: m.start()] + _cell_xml(ref, "", value, None) + body[m.start() :] + tail
    return head + body + _cell_xml(ref, "", value, None) + tail


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


_ROW = re.compile(r'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.S)


def _patch_sheet(xml: str, cells: Mapping[tuple[int, int], object]) -> str:
    for (row, col), value in sorted(cells.items()):
        data_start = xml.index("<sheetData")
        data_end = xml.find("</sheetData>")
        found = None
        for m in _ROW.finditer(xml, data_start, data_end if data_end >= 0 else len(xml)):
            if int(m.group(1)) >= row:
                found = m
                break
        if found is not None and int(found.group(1)) == row:
            xml = xml[: found.start()] + _patch_row(found.group(0), row, col, value) + xml[found.end() :]
            continue
        new_row = f'<row r="{row}">{_cell_xml(f"{_letters(col)}{row}", "", value, None)}</row>'
        if data_end < 0:  # <sheetData/>
            xml = xml.replace("<sheetData/>", f"<sheetData>{new_row}</sheetData>", 1)
        else:
            at = found.start() if found is not None else data_end
            xml = xml[:at] + new_row + xml[at:]
    return xml


def _dimension(xml: str, cells: Mapping[tuple[int, int], object]) -> str:
    """The sheet's <dimension> widened to the cells written (a reader may read only that range)."""
    m = re.search(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"', xml)
    if m is None or not cells:
        return xml
    top, left = int(m.group(2)), _col_number(m.group(1))
    bottom, right = int(m.group(4) or m.group(2)), _col_number(m.group(3) or m.group(1))
    rows, cols = [r for r, _ in cells], [c for _, c in cells]
    new = (min(top, *rows), min(left, *cols), max(bottom, *rows), max(right, *cols))
    if new == (top, left, bottom, right):
        return xml
    ref = f"{_letters(new[1])}{new[0]}:{_letters(new[3])}{new[2]}"
    return xml[: m.start(1)] + ref + xml[m.end(m.lastindex or 2) :]


def _full_calc_on_load(workbook_xml: str) -> str:
    m = re.search(r"<calcPr\b([^>]*?)(/?)>", workbook_xml)
    if m is None:
        return workbook_xml.replace("</definedNames>", '</definedNames><calcPr fullCalcOnLoad="1"/>', 1)
    attrs = re.sub(r'\s*fullCalcOnLoad="[^"]*"', "", m.group(1))
    return workbook_xml[: m.start()] + f'<calcPr{attrs} fullCalcOnLoad="1"{m.group(2)}>' + workbook_xml[m.end() :]


def build_vsme_workbook(cells: Mapping[str, object], lang: str, template: Path | None = None) -> bytes:
    """A copy of the template (default: diagnostic.vsme_files.template_path()) with `cells` written.

    `lang` is the language of the report; the template's display language is itself a cell
    (template_values writes it), so it is only checked here. Raises TemplateError when a key is not
    in the template or a plain value would overwrite one of its formulas.
    """
    if lang not in ("fr", "en"):
        raise TemplateError(f"unknown language {lang!r}")
    source = (template or template_path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as zin:
        infos = zin.infolist()
        files = {info.filename: zin.read(info) for info in infos}
    workbook_xml = files[_MAIN].decode("utf-8")
    names = defined_names(workbook_xml)
    paths = _sheet_paths(files)
    by_part: dict[str, dict[tuple[int, int], object]] = {}
    for key, value in cells.items():
        sheet, ref = _resolve(key, names)
        if sheet not in paths:
            raise TemplateError(f"the template has no sheet '{sheet}'")
        by_part.setdefault(paths[sheet], {})[_split(ref)] = value
    changed = {
        part: _dimension(_patch_sheet(files[part].decode("utf-8"), part_cells), part_cells).encode("utf-8")
        for part, part_cells in by_part.items()
    }
    changed[_MAIN] = _full_calc_on_load(workbook_xml).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for info in infos:
            zout.writestr(info, changed.get(info.filename, files[info.filename]), compress_type=info.compress_type)
    return out.getvalue()
