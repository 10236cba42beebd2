"""golinter/model/derivation.py: substring derivation through locals, whole reads, same values."""
from __future__ import annotations

from _modelkit import at, package

from golinter.model.derivation import Derivation, Origin

SRC = """package p

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unique"
)

var pairRE = regexp.MustCompile(`(\\w+)=(\\w+)`)

type Label string

func lines(path string, r io.Reader, parts []string, raw []byte) {
	data, _ := os.ReadFile(path)
	text := string(data)
	for _, line := range strings.Split(text, "\\n") {
		k, v, ok := strings.Cut(line, "=")
		_, _, _ = /*@cutkey*/k, /*@cutval*/v, ok
		name := strings.TrimSpace(k)
		_ = /*@trimmed*/name
		_ = /*@label*/Label(name)
		_ = /*@cloned*/strings.Clone(k)
		_ = /*@interned*/unique.Make(k).Value()
		_ = /*@lower*/strings.ToLower(k)
		_ = /*@concat*/k + "!"
	}
	body, _ := io.ReadAll(r)
	fields := strings.Fields(string(body))
	_ = /*@field0*/fields[0]
	_ = /*@field1*/fields[1:][0]
	for /*@rangeidx*/i := range fields {
		_ = i
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		_ = /*@wholeline*/line
		_ = /*@trimline*/strings.TrimSpace(line)
		_ = /*@firstword*/strings.Fields(line)[0]
		_ = /*@sliced*/line[:4]
		if m := pairRE.FindStringSubmatch(line); m != nil {
			_ = /*@submatch*/m[1]
		}
		for _, all := range pairRE.FindAllStringSubmatch(line, -1) {
			_ = /*@allsub*/all[2]
		}
	}
	_ = /*@param*/strings.Fields(parts[1])[0]
	_ = /*@paramslice*/parts[0]
	_ = /*@copied*/string(raw[2:5])
	_ = /*@base*/filepath.Base(path)
	_ = /*@constant*/strings.Split("a,b,c", ",")[0]
	for part := range strings.SplitSeq(text, ",") {
		_ = /*@seq*/part
	}
	host, rest, _ := strings.Cut(path, "/")
	_ = rest
	host = strings.Clone(host)
	_ = /*@reassigned*/host
	key, _ := strings.CutPrefix(path, "/")
	_ = /*@cutprefix*/key
	_ = /*@rawconv*/string(raw)
	rd := bufio.NewReader(r)
	got, _ := rd.ReadString('\\n')
	_ = /*@readstring*/got
	_ = /*@pathparam*/path
}
"""


def _derivation() -> tuple[Derivation, object]:
    pkg = package({"a.go": SRC})
    return Derivation(pkg), pkg


def _source_text(marker: str) -> str | None:
    d, pkg = _derivation()
    root = d.substring_of(at(pkg, marker))  # type: ignore[arg-type]
    return None if root is None else pkg.text(root)  # type: ignore[attr-defined]


def test_derivation_cut_results_are_substrings_of_the_line() -> None:
    assert _source_text("cutkey") == "text"
    assert _source_text("cutval") == "text"


def test_derivation_trim_and_string_conversions_pass_the_fact_through() -> None:
    assert _source_text("trimmed") == "text"
    assert _source_text("label") == "text"


def test_derivation_copies_and_fresh_strings_are_not_substrings() -> None:
    for marker in ("cloned", "interned", "lower", "concat", "copied", "wholeline", "rangeidx"):
        assert _source_text(marker) is None, marker


def test_derivation_trimming_alone_does_not_make_a_substring() -> None:
    assert _source_text("trimline") is None
    assert _source_text("cutprefix") is None


def test_derivation_split_elements_and_resliced_splits() -> None:
    assert _source_text("field0") == "string(body)"
    assert _source_text("field1") == "string(body)"


def test_derivation_scanner_line_is_the_source_of_its_fields_and_slices() -> None:
    assert _source_text("firstword") == "line"
    assert _source_text("sliced") == "line"


def test_derivation_regexp_submatches() -> None:
    assert _source_text("submatch") == "line"
    assert _source_text("allsub") == "line"


def test_derivation_parameters_are_sources_not_substrings() -> None:
    assert _source_text("param") == "parts[1]"
    assert _source_text("paramslice") is None


def test_derivation_path_base_and_seq_iterators() -> None:
    assert _source_text("base") == "path"
    assert _source_text("seq") == "text"


def test_derivation_constant_sources_and_reassigned_locals_are_silent() -> None:
    assert _source_text("constant") is None
    assert _source_text("reassigned") is None


def test_derivation_origin_follows_locals_and_conversions_to_the_read() -> None:
    d, pkg = _derivation()
    root = d.substring_of(at(pkg, "cutkey"))  # type: ignore[arg-type]
    assert root is not None
    assert d.origin(root) == Origin("whole", "os.ReadFile")
    field_root = d.substring_of(at(pkg, "field0"))  # type: ignore[arg-type]
    assert field_root is not None
    assert d.origin(field_root) == Origin("whole", "io.ReadAll")


def test_derivation_origin_of_lines_conversions_and_parameters() -> None:
    d, pkg = _derivation()
    line_root = d.substring_of(at(pkg, "firstword"))  # type: ignore[arg-type]
    assert line_root is not None
    assert d.origin(line_root) == Origin("line", "bufio.Scanner.Text")
    assert d.origin(at(pkg, "rawconv")) == Origin("bytes", "string conversion")
    assert d.origin(at(pkg, "readstring")) == Origin("line", "bufio.Reader.ReadString")
    param_root = d.substring_of(at(pkg, "param"))  # type: ignore[arg-type]
    assert param_root is not None
    assert d.origin(param_root) is None
    assert d.origin(at(pkg, "pathparam")) is None


SAME = """package p

func f(m map[string]int, b, c []byte, s string) {
	_ = /*@a1*/m[string(b)]
	_ = /*@a2*/m[string(b)]
	_ = /*@other*/m[string(c)]
	_ = /*@concat1*/m[s+":"+string(b)]
	_ = /*@concat2*/m[s+":"+string(b)]
	_ = /*@concat3*/m[s+"/"+string(b)]
	_ = /*@call1*/m[g(s)]
	_ = /*@call2*/m[g(s)]
	for _, b := range [][]byte{b} {
		_ = /*@shadow*/m[string(b)]
	}
}

func g(s string) string { return s }
"""


def test_derivation_same_value_compares_objects_and_operators() -> None:
    pkg = package({"a.go": SAME})
    d = Derivation(pkg)
    assert d.same_value(at(pkg, "a1"), at(pkg, "a2"))
    assert d.same_value(at(pkg, "concat1"), at(pkg, "concat2"))
    assert not d.same_value(at(pkg, "a1"), at(pkg, "other"))
    assert not d.same_value(at(pkg, "concat1"), at(pkg, "concat3"))
    assert not d.same_value(at(pkg, "a1"), at(pkg, "shadow"))
    assert not d.same_value(at(pkg, "call1"), at(pkg, "call2"))


ALLOC_SRC = """package p

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unique"
)

type Label string

const prefix = "label_"

func keys(r io.Reader, b []byte, rs []rune, s string, header []string, i int) {
	k := string(b)
	_ = /*@conv*/string(b)
	_ = /*@local*/k
	_ = /*@runes*/string(rs)
	_ = /*@named*/Label(b)
	_ = /*@namedlocal*/Label(k)
	_ = /*@clone*/strings.Clone(s)
	_ = /*@sprintf*/fmt.Sprintf("col%d", i)
	_ = /*@concat*/prefix + header[i]
	_ = /*@concatlit*/"x-" + s + "-y"
	_ = /*@concatempty*/"" + s
	_ = /*@concatconst*/prefix + "name"
	_ = /*@concatvars*/s + header[i]
	_ = /*@strconv*/string(s)
	_ = /*@lower*/strings.ToLower(s)
	_ = /*@interned*/unique.Make(string(b)).Value()
	_ = /*@header*/header[i]
	_ = /*@param*/s
	sub, _, _ := strings.Cut(s, "=")
	_ = /*@sub*/sub
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		_ = /*@text*/sc.Text()
	}
	rd := bufio.NewReader(r)
	line, _ := rd.ReadString('\\n')
	_ = /*@readstring*/line
	again := string(b)
	again = s
	_ = /*@reassigned*/again
}
"""


def _allocation(marker: str) -> str | None:
    pkg = package({"a.go": ALLOC_SRC})
    node = Derivation(pkg).allocation(at(pkg, marker))
    return None if node is None else pkg.text(node)


def test_derivation_allocation_of_conversions_from_bytes_and_runes() -> None:
    assert _allocation("conv") == "string(b)"
    assert _allocation("runes") == "string(rs)"
    assert _allocation("named") == "Label(b)"


def test_derivation_allocation_follows_locals_to_where_the_string_is_made() -> None:
    assert _allocation("local") == "string(b)"
    assert _allocation("namedlocal") == "string(b)"  # Label(k) shares k's bytes
    assert _allocation("readstring") == "rd.ReadString('\\n')"
    assert _allocation("reassigned") is None


def test_derivation_allocation_of_copies_formats_and_scanned_lines() -> None:
    assert _allocation("clone") == "strings.Clone(s)"
    assert _allocation("sprintf") == 'fmt.Sprintf("col%d", i)'
    assert _allocation("text") == "sc.Text()"


def test_derivation_allocation_of_concatenations_needs_a_constant_and_a_variable_part() -> None:
    assert _allocation("concat") == "prefix + header[i]"
    assert _allocation("concatlit") == '"x-" + s + "-y"'
    for marker in ("concatempty", "concatconst", "concatvars"):
        assert _allocation(marker) is None, marker


def test_derivation_no_allocation_for_shared_or_possibly_shared_strings() -> None:
    for marker in ("strconv", "lower", "interned", "header", "param", "sub"):
        assert _allocation(marker) is None, marker
