"""Taint: attacker-controlled origins, bounds on every path, iteration-local values."""
from __future__ import annotations

import pytest

from golinter.model.package import enclosing
from golinter.model.taint import Origin
from tests.model._modelkit import at, ident_at, package

HEAD = '''package p

import (
	"bufio"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
)

var _ = bufio.NewReader
var _ = binary.BigEndian
var _ = gob.NewDecoder
var _ = json.Unmarshal
var _ = errors.New
var _ = flag.Int
var _ io.Reader
var _ net.Conn
var _ http.Handler
var _ = os.Getenv
var _ = strconv.Atoi

const limit = 1000

type req struct {
	Count int
	Small uint8
	Items []string
}

func (q *req) validate() error {
	if q.Count > limit {
		return errors.New("too many")
	}
	return nil
}

'''
INT64_MAX = 2**63 - 1


def origin(body: str, marker: str = "x") -> Origin | None:
    pkg = package({"a.go": HEAD + body})
    return pkg.taint.origin(at(pkg, marker))


def origin_text(body: str, marker: str = "x") -> tuple[str, str, str, int | None]:
    """(source, read text, via, bound) of the origin; the test fails when there is none."""
    pkg = package({"a.go": HEAD + body})
    o = pkg.taint.origin(at(pkg, marker))
    assert o is not None and o.integer
    return o.source, pkg.text(o.node), o.via, o.bound


# -- sources and flow ---------------------------------------------------------------------------

def test_taint_origin_query_value_through_atoi() -> None:
    got = origin_text('''func h(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	_ = make(map[string]int, /*@x*/n)
}''')
    assert got == ("the request", 'r.URL.Query().Get("n")', "", INT64_MAX)


def test_taint_origin_values_variable_and_header() -> None:
    got = origin_text('''func h(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s := q.Get("size")
	n, _ := strconv.Atoi(s)
	m, _ := strconv.Atoi(r.Header.Get("X-N"))
	_ = make(map[string]int, /*@x*/n+m)
}''')
    assert got[:2] == ("the request", 'q.Get("size")')


@pytest.mark.parametrize(("call", "bound"), [
    ('strconv.ParseUint(r.FormValue("n"), 10, 16)', 2**16 - 1),
    ('strconv.ParseInt(r.FormValue("n"), 10, 8)', 2**7 - 1),
    ('strconv.ParseInt(r.FormValue("n"), 10, 64)', INT64_MAX),
    ('strconv.ParseUint(r.FormValue("n"), 10, 0)', 2**64 - 1),
])
def test_taint_origin_parse_bit_size_bounds(call: str, bound: int) -> None:
    got = origin_text(f'''func h(w http.ResponseWriter, r *http.Request) {{
	n, _ := {call}
	_ = make(map[string]int, /*@x*/n)
}}''')
    assert got[3] == bound


def test_taint_origin_content_length_arithmetic() -> None:
    got = origin_text('''func h(w http.ResponseWriter, r *http.Request) {
	_ = make(map[string]int, /*@x*/r.ContentLength/80+1)
}''')
    assert got == ("the request", "r.ContentLength", "", INT64_MAX // 80 + 1)


def test_taint_origin_json_decoded_field() -> None:
    got = origin_text('''func h(w http.ResponseWriter, r *http.Request) {
	var q req
	if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
		return
	}
	_ = make(map[string]int, /*@x*/q.Count)
}''')
    assert got == ("the request body", "q.Count", "encoding/json", INT64_MAX)


def test_taint_origin_unmarshal_of_read_body_and_narrow_field() -> None:
    got = origin_text('''func h(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var q req
	_ = json.Unmarshal(body, &q)
	_ = make(map[string]int, /*@x*/q.Small)
}''')
    assert got == ("the request body", "q.Small", "encoding/json", 255)


def test_taint_origin_gob_decoder_variable_on_conn() -> None:
    got = origin_text('''func read(conn net.Conn) {
	dec := gob.NewDecoder(conn)
	var q req
	_ = dec.Decode(&q)
	_ = make(map[string]int, /*@x*/q.Count)
}''')
    assert got[0] == "conn" and got[2] == "encoding/gob"


def test_taint_origin_big_endian_after_read_full() -> None:
    got = origin_text('''func read(conn net.Conn) {
	var hdr [4]byte
	io.ReadFull(conn, hdr[:])
	n := binary.BigEndian.Uint32(hdr[:])
	_ = make(map[uint32]int, /*@x*/n)
}''')
    assert got == ("conn", "binary.BigEndian.Uint32(hdr[:])", "", 2**32 - 1)


def test_taint_origin_conn_read_into_buffer_then_byte() -> None:
    got = origin_text('''func read(c net.Conn) {
	buf := make([]byte, 16)
	c.Read(buf)
	_ = make(map[byte]int, /*@x*/int(buf[0])*8)
}''')
    assert got == ("c", "buf[0]", "", 255 * 8)


def test_taint_origin_uvarint_through_bufio_wrapper() -> None:
    got = origin_text('''func read(rd io.Reader) {
	br := bufio.NewReader(rd)
	n, _ := binary.ReadUvarint(br)
	_ = make(map[uint64]int, /*@x*/n)
}''')
    assert got == ("rd", "binary.ReadUvarint(br)", "encoding/binary", 2**64 - 1)


def test_taint_origin_binary_read_struct_field() -> None:
    got = origin_text('''type hdr struct{ N uint16 }
func read(rd io.Reader) {
	var h hdr
	binary.Read(rd, binary.LittleEndian, &h)
	_ = make(map[int]int, /*@x*/int(h.N)+1)
}''')
    assert got[3] == 2**16


def test_taint_origin_narrowing_conversion_caps_bound() -> None:
    got = origin_text('''func h(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.FormValue("n"))
	_ = make(map[int]int, /*@x*/uint16(n))
}''')
    assert got[3] == 2**16 - 1


def test_taint_origin_callee_return_one_level_down() -> None:
    got = origin_text('''func count(r *http.Request) int {
	n, _ := strconv.Atoi(r.FormValue("count"))
	return n
}
func h(w http.ResponseWriter, r *http.Request) {
	_ = make(map[int]int, /*@x*/count(r))
}''')
    assert got[:2] == ("the request", 'r.FormValue("count")')


def test_taint_origin_parameter_bound_at_caller_one_level_up() -> None:
    got = origin_text('''func build(n int) map[int]int {
	return make(map[int]int, /*@x*/n)
}
func h(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.FormValue("n"))
	build(n)
}''')
    assert got[:2] == ("the request", 'r.FormValue("n")')


def test_taint_origin_helper_parameter_bound_to_tainted_argument() -> None:
    got = origin_text('''func parse(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
func h(w http.ResponseWriter, r *http.Request) {
	_ = make(map[int]int, /*@x*/parse(r.FormValue("n")))
}''')
    assert got[:2] == ("the request", 'r.FormValue("n")')


def test_taint_origin_stops_after_one_call_level() -> None:
    assert origin('''func inner(r *http.Request) int {
	n, _ := strconv.Atoi(r.FormValue("n"))
	return n
}
func outer(r *http.Request) int { return inner(r) }
func h(w http.ResponseWriter, r *http.Request) {
	_ = make(map[int]int, /*@x*/outer(r))
}''') is None


@pytest.mark.parametrize("expr", [
    'func() int { n, _ := strconv.Atoi(os.Getenv("N")); return n }()',
    "*flag.Int(\"n\", 1, \"\")",
    "limit",
    "len(body)",
    "len(q.Items)",
    "cap(body)",
    "size",
    "pkgSize",
])
def test_taint_not_sources(expr: str) -> None:
    assert origin(f'''var pkgSize = 10
func h(w http.ResponseWriter, r *http.Request, size int) {{
	body, _ := io.ReadAll(r.Body)
	var q req
	_ = json.Unmarshal(body, &q)
	_ = make(map[int]int, /*@x*/{expr})
}}''') is None


def test_taint_not_source_file_reader_local() -> None:
    assert origin('''func load(path string) {
	f, _ := os.Open(path)
	br := bufio.NewReader(f)
	n, _ := binary.ReadUvarint(br)
	_ = make(map[uint64]int, /*@x*/n)
}''') is None


def test_taint_request_method_results_other_than_reads_are_not_sources() -> None:
    assert origin('''func h(w http.ResponseWriter, r *http.Request) {
	v, _ := r.Context().Value("n").(int)
	_ = make(map[int]int, /*@x*/v)
}''') is None


# -- bounds ------------------------------------------------------------------------------------

PARSE = '\tn, _ := strconv.Atoi(r.FormValue("n"))\n'


def handler(body: str) -> str:
    return "func h(w http.ResponseWriter, r *http.Request) {\n" + PARSE + body + "}\n"


@pytest.mark.parametrize("body", [
    "\tif n > limit {\n\t\treturn\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\tif n < 0 || n >= limit {\n\t\thttp.Error(w, \"bad\", 400)\n\t\treturn\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\tif limit < n {\n\t\tpanic(\"too big\")\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\tif !(n <= limit) {\n\t\treturn\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\tif n > limit {\n\t\tn = limit\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\tif n <= limit {\n\t\t_ = make(map[int]int, /*@x*/n)\n\t}\n",
    "\tif n > limit {\n\t\treturn\n\t} else {\n\t\t_ = make(map[int]int, /*@x*/n)\n\t}\n",
    "\tif n > limit {\n\t\tw.WriteHeader(400)\n\t} else if n > 0 {\n\t\t_ = make(map[int]int, /*@x*/n)\n\t}\n",
    "\tif n >= 0 && n < limit {\n\t\t_ = make(map[int]int, /*@x*/n)\n\t}\n",
    "\tswitch {\n\tcase n > limit:\n\t\treturn\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\tswitch {\n\tcase n > limit:\n\t\tn = limit\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\tswitch {\n\tcase n <= limit:\n\t\t_ = make(map[int]int, /*@x*/n)\n\t}\n",
    "\tn = min(n, limit)\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\tn %= limit\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\t_ = make(map[int]int, /*@x*/min(n, limit))\n",
    "\t_ = make(map[int]int, /*@x*/n&0xff)\n",
    "\t_ = make(map[int]int, /*@x*/n%limit+1)\n",
    "\t_ = make(map[int]int, /*@x*/limit-n)\n",
    "\tif int64(n) > int64(limit) {\n\t\treturn\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
    ("\tfor _, s := range []string{\"a\"} {\n\t\tif n > limit {\n\t\t\tcontinue\n\t\t}\n"
     "\t\t_ = make(map[string]int, /*@x*/n)\n\t\t_ = s\n\t}\n"),
    "\tif n > limit {\n\t\treturn\n\t}\n\tgo func() {\n\t\t_ = make(map[int]int, /*@x*/n)\n\t}()\n",
])
def test_taint_bounded_forms_cut_the_origin(body: str) -> None:
    assert origin(handler(body)) is None


@pytest.mark.parametrize("body", [
    "\tif n < 0 {\n\t\treturn\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\tif n > limit && r.Method == \"GET\" {\n\t\treturn\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\tif n > limit && r.Method == \"GET\" {\n\t\tn = limit\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\tif n > limit {\n\t\tw.WriteHeader(400)\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\tif n > int(r.ContentLength) {\n\t\treturn\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
    "\t_ = make(map[int]int, /*@x*/n)\n\tif n > limit {\n\t\treturn\n\t}\n",
    "\tif n >= limit {\n\t\t_ = make(map[int]int, /*@x*/n)\n\t}\n",
    "\t_ = make(map[int]int, /*@x*/max(n, limit))\n",
    "\tswitch {\n\tcase n > limit:\n\t\tw.WriteHeader(400)\n\t}\n\t_ = make(map[int]int, /*@x*/n)\n",
])
def test_taint_unbounded_forms_keep_the_origin(body: str) -> None:
    assert origin(handler(body)) is not None


def test_taint_bounded_by_validating_method_of_decoded_value() -> None:
    assert origin('''func h(w http.ResponseWriter, r *http.Request) {
	var q req
	json.NewDecoder(r.Body).Decode(&q)
	if err := q.validate(); err != nil {
		return
	}
	_ = make(map[int]int, /*@x*/q.Count)
}''') is None


def test_taint_bounded_by_clamping_helper() -> None:
    assert origin('''func clamp(v, hi int) int {
	if v > hi {
		return hi
	}
	return v
}
func h(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.FormValue("n"))
	_ = make(map[int]int, /*@x*/clamp(n, limit))
}''') is None


def test_taint_is_bounded_names_the_subject() -> None:
    pkg = package({"a.go": HEAD + handler("\tm := n\n\tif n > limit {\n\t\treturn\n\t}\n"
                                          "\t_ = make(map[int]int, /*@x*/m)\n\t_ = /*@n*/n\n")})
    use = at(pkg, "x")
    assert pkg.taint.is_bounded(ident_at(pkg, "n"), use)
    assert not pkg.taint.is_bounded(use, use)


# -- iteration-local ---------------------------------------------------------------------------

def local(body: str) -> bool:
    pkg = package({"a.go": HEAD + "func f(rows [][]string, out map[int]map[string]int, ch chan map[string]int) "
                                  "[]map[string]int {\n\tvar keep []map[string]int\n\tvar outer map[string]int\n"
                                  "\tfor i, row := range rows {\n" + body +
                                  "\t\t_, _ = i, row\n\t}\n\t_ = outer\n\treturn keep\n}\n"})
    call = at(pkg, "m")
    loop = enclosing(call, frozenset({"for_statement"}))
    assert loop is not None
    return pkg.taint.is_iteration_local(call, loop)


def test_taint_iteration_local_when_only_indexed_ranged_and_measured() -> None:
    assert local("\t\tm := /*@m*/make(map[string]int, 10)\n\t\tfor _, k := range row {\n\t\t\tm[k]++\n\t\t}\n"
                 "\t\tfor k, v := range m {\n\t\t\t_, _ = k, v\n\t\t}\n\t\tdelete(m, \"a\")\n\t\tclear(m)\n"
                 "\t\t_ = len(m)\n")


def test_taint_iteration_local_var_declaration() -> None:
    assert local("\t\tvar m = /*@m*/make(map[string]int, 10)\n\t\tm[row[0]] = 1\n")


@pytest.mark.parametrize("use", [
    "\t\tout[i] = m\n",
    "\t\tkeep = append(keep, m)\n",
    "\t\tch <- m\n",
    "\t\treturn []map[string]int{m}\n",
    "\t\tgo func() { m[\"a\"] = 1 }()\n",
    "\t\tfill(m)\n",
    "\t\touter = m\n",
])
def test_taint_not_iteration_local_when_it_escapes(use: str) -> None:
    assert not local("\t\tm := /*@m*/make(map[string]int, 10)\n" + use)


def test_taint_not_iteration_local_when_declared_outside_loop() -> None:
    assert not local("\t\touter = /*@m*/make(map[string]int, 10)\n")


def test_taint_not_iteration_local_when_stored_in_a_field() -> None:
    pkg = package({"a.go": HEAD + "type s struct{ m map[string]int }\nfunc (x *s) f(rows []int) {\n"
                                  "\tfor range rows {\n\t\tx.m = /*@m*/make(map[string]int, 10)\n\t}\n}\n"})
    call = at(pkg, "m")
    loop = enclosing(call, frozenset({"for_statement"}))
    assert loop is not None and not pkg.taint.is_iteration_local(call, loop)


def test_taint_bounded_where_the_definition_is_guarded() -> None:
    assert origin('''func limitOf(r *http.Request) int {
	limit := 20
	if s := r.URL.Query().Get("limit"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > 0 && v <= 100 {
			limit = v
		}
	}
	return limit
}
func h(w http.ResponseWriter, r *http.Request) {
	_ = make(map[int]int, /*@x*/limitOf(r))
}''') is None


def test_taint_unbounded_definition_in_an_unrelated_branch() -> None:
    assert origin('''func h(w http.ResponseWriter, r *http.Request) {
	limit := 20
	if s := r.URL.Query().Get("limit"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > 0 {
			limit = v
		}
	}
	_ = make(map[int]int, /*@x*/limit)
}''') is not None


@pytest.mark.parametrize(("tag", "bounded"), [
    ('`json:"n" validate:"required,max=100"`', True),
    ('`json:"n" binding:"lte=500"`', True),
    ('`json:"n" validate:"oneof=10 20 50"`', True),
    ('`json:"n" validate:"required,min=1"`', False),
    ('`json:"n"`', False),
])
def test_taint_validator_tags_bound_decoded_fields(tag: str, bounded: bool) -> None:
    o = origin(f'''type page struct {{
	N int {tag}
}}
func h(w http.ResponseWriter, r *http.Request) {{
	var p page
	json.NewDecoder(r.Body).Decode(&p)
	_ = make(map[int]int, /*@x*/p.N)
}}''')
    assert (o is None) is bounded


@pytest.mark.parametrize(("chain", "bounded"), [
    ("\tif n == 0 {\n\t\tn = 10\n\t} else if n > limit {\n\t\tn = limit\n\t}\n", True),
    ("\tif n <= 0 {\n\t\treturn\n\t} else if n > limit {\n\t\tn = limit\n\t}\n", True),
    ("\tif n == 0 {\n\t\tn = 10\n\t} else if n > limit {\n\t\tw.WriteHeader(400)\n\t}\n", False),
    ("\tif n == 0 {\n\t\tn = 10\n\t}\n", False),
    ("\tif n > limit {\n\t\tn = int(r.ContentLength)\n\t}\n", False),
    ("\tif n > limit {\n\t\tn = limit\n\t} else {\n\t\tn = n * 2\n\t}\n", True),
])
def test_taint_if_else_chains(chain: str, bounded: bool) -> None:
    o = origin(handler(chain + "\t_ = make(map[int]int, /*@x*/n)\n"))
    assert (o is None) is bounded


def test_taint_deep_expressions_stay_silent_without_error() -> None:
    deep = "n" + " + 1" * 3000
    assert origin(handler(f"\t_ = make(map[int]int, /*@x*/{deep})\n")) is None
    assert origin(handler("\t_ = make(map[int]int, /*@x*/1 + n)\n")) is not None


def test_taint_long_conditions_stay_silent_without_error() -> None:
    cond = " || ".join(["r.Method == \"X\""] * 2000)
    assert origin(handler(f"\tif {cond} {{\n\t\treturn\n\t}}\n\t_ = make(map[int]int, /*@x*/n)\n")) is None


def test_taint_origin_binary_read_scalar_and_sscanf() -> None:
    got = origin_text('''func read(rd io.Reader) {
	var n uint32
	binary.Read(rd, binary.BigEndian, &n)
	_ = make(map[int]int, /*@x*/n)
}''')
    assert got == ("rd", "n", "encoding/binary", 2**32 - 1)
    pkg = package({"a.go": HEAD.replace('"os"', '"os"\n\t"fmt"') + '''var _ = fmt.Sscanf
func h(w http.ResponseWriter, r *http.Request) {
	var n int
	fmt.Sscanf(r.FormValue("n"), "%d", &n)
	_ = make(map[int]int, /*@x*/n)
}'''})
    o = pkg.taint.origin(at(pkg, "x"))
    assert o is not None and o.bound == INT64_MAX and pkg.text(o.node) == 'r.FormValue("n")'


def test_taint_fields_of_foreign_types_have_no_bound() -> None:
    o = origin('''type wire struct{ N int }
func read(conn net.Conn, m *wire) {
	dec := json.NewDecoder(conn)
	var ext http.Cookie
	dec.Decode(&ext)
	_ = make(map[int]int, /*@x*/ext.MaxAge)
}''')
    assert o is None or o.bound is None


@pytest.mark.parametrize(("guard", "bounded"), [
    ("\tswitch {\n\tcase n > limit:\n\t\tbreak\n\t}\n", False),
    ("\tif n > limit {\n\t\tlog.Fatal(\"too big\")\n\t}\n", True),
    ("\tif n > limit {\n\t\tif r.Method == \"GET\" {\n\t\t\treturn\n\t\t}\n\t\tpanic(\"too big\")\n\t}\n", True),
    ("\tif n > limit {\n\t\tif r.Method == \"GET\" {\n\t\t\treturn\n\t\t}\n\t}\n", False),
])
def test_taint_leaving_branches(guard: str, bounded: bool) -> None:
    src = handler(guard + "\t_ = make(map[int]int, /*@x*/n)\n").replace("func h(", "var _ = log.Fatal\nfunc h(")
    pkg = package({"a.go": HEAD.replace('"os"', '"os"\n\t"log"') + src})
    assert (pkg.taint.origin(at(pkg, "x")) is None) is bounded


def test_taint_break_out_of_an_enclosing_loop_leaves() -> None:
    assert origin(handler("\tfor i := 0; i < 3; i++ {\n\t\tif n > limit {\n\t\t\tbreak\n\t\t}\n"
                          "\t\t_ = make(map[int]int, /*@x*/n)\n\t}\n")) is None


def test_taint_callers_in_test_files_do_not_count() -> None:
    pkg = package({"a.go": HEAD + "func build(n int) map[int]int {\n\treturn make(map[int]int, /*@x*/n)\n}\n",
                   "a_test.go": "package p\n\nimport (\n\t\"net/http\"\n\t\"strconv\"\n)\n\n"
                                "func serve(w http.ResponseWriter, r *http.Request) {\n"
                                "\tn, _ := strconv.Atoi(r.FormValue(\"n\"))\n\tbuild(n)\n}\n"})
    assert pkg.taint.origin(at(pkg, "x")) is None
