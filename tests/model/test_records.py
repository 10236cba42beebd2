"""golinter/model/records.py: maps made per loop iteration and kept past the loop."""
from __future__ import annotations

from _modelkit import at, package

from golinter.model.derivation import Derivation
from golinter.model.records import PerRecordMap, Records

SRC = """package p

type Sample struct {
	Labels map[string]string
}

type Reg struct {
	series map[string][]map[string]string
	last   map[string]string
}

var table = map[string]map[string]string{}

func f(r *Reg, lines [][]string, ids []string, flush func([]map[string]string)) []map[string]string {
	var out []map[string]string
	rows := make([]map[string]string, len(lines))
	var samples []Sample
	var batch []map[string]string
	for i, line := range lines {
		appended := map[string]string{}
		/*@appended*/appended["a"] = line[0]
		out = append(out, appended)

		indexed := make(map[string]string)
		/*@indexed*/indexed["a"] = line[0]
		rows[i] = indexed

		field := Sample{Labels: map[string]string{}}
		/*@field*/field.Labels["a"] = line[0]
		samples = append(samples, field)

		wrapped := map[string]string{}
		/*@wrapped*/wrapped["a"] = line[0]
		s := &Sample{Labels: wrapped}
		samples = append(samples, *s)

		registry := map[string]string{}
		/*@registry*/registry["a"] = line[0]
		r.series[ids[i]] = append(r.series[ids[i]], registry)

		global := map[string]string{}
		/*@global*/global["a"] = line[0]
		table[ids[i]] = global

		dropped := map[string]string{}
		/*@dropped*/dropped["a"] = line[0]
		flush([]map[string]string{dropped})

		slot := map[string]string{}
		/*@slot*/slot["a"] = line[0]
		r.last = slot

		batched := map[string]string{}
		/*@batched*/batched["a"] = line[0]
		batch = append(batch, batched)
		if len(batch) > 10 {
			batch = nil
		}

		inner := []map[string]string{}
		local := map[string]string{}
		/*@innercontainer*/local["a"] = line[0]
		inner = append(inner, local)
		_ = inner

		reset := map[string]string{}
		reset = map[string]string{}
		/*@reassigned*/reset["a"] = line[0]
		out = append(out, reset)
	}
	once := map[string]string{}
	/*@outside*/once["a"] = "b"
	out = append(out, once)
	return out
}
"""


def _per_record(marker: str) -> tuple[PerRecordMap | None, object]:
    pkg = package({"a.go": SRC})
    target = at(pkg, marker)  # the index expression `m[k]`
    operand = target.child_by_field_name("operand")
    assert operand is not None
    return Records(pkg, Derivation(pkg)).per_record(operand), pkg


def _kept_in(marker: str) -> str | None:
    per, pkg = _per_record(marker)
    return None if per is None else pkg.text(per.container)  # type: ignore[attr-defined]


def test_records_appended_and_indexed_maps_are_per_record() -> None:
    assert _kept_in("appended") == "out"
    assert _kept_in("indexed") == "rows"


def test_records_maps_in_struct_literals_are_followed() -> None:
    assert _kept_in("field") == "samples"
    assert _kept_in("wrapped") == "samples"


def test_records_registry_fields_and_package_maps_keep_records() -> None:
    assert _kept_in("registry") == "r.series[ids[i]]"
    assert _kept_in("global") == "table"


def test_records_made_and_kept_statements_are_located() -> None:
    per, pkg = _per_record("appended")
    assert per is not None
    assert pkg.text(per.made) == "map[string]string{}"  # type: ignore[attr-defined]
    assert pkg.text(per.kept) == "out = append(out, appended)"  # type: ignore[attr-defined]
    assert per.loop.type == "for_statement"


def test_records_maps_not_kept_past_the_loop_are_not_per_record() -> None:
    for marker in ("dropped", "slot", "batched", "innercontainer", "reassigned", "outside"):
        assert _kept_in(marker) is None, marker


HELPER_SRC = """package p

func parse(b []byte) map[string]string {
	rec := map[string]string{}
	/*@helper*/rec[string(b)] = "x"
	return rec
}

func parseErr(b []byte) (map[string]string, error) {
	m := map[string]string{}
	/*@helpererr*/m[string(b)] = "x"
	return m, nil
}

func unkept(b []byte) map[string]string {
	u := map[string]string{}
	/*@unkept*/u[string(b)] = "x"
	return u
}

func callers(lines [][]byte) ([]map[string]string, map[int]map[string]string, int) {
	var out []map[string]string
	byLine := map[int]map[string]string{}
	n := 0
	for i, line := range lines {
		out = append(out, parse(line))
		m, err := parseErr(line)
		if err == nil {
			byLine[i] = m
		}
		n += len(unkept(line))
	}
	return out, byLine, n
}
"""


def _helper_per_record(marker: str) -> tuple[PerRecordMap | None, object]:
    pkg = package({"a.go": HELPER_SRC})
    operand = at(pkg, marker).child_by_field_name("operand")
    assert operand is not None
    return Records(pkg, Derivation(pkg)).per_record(operand), pkg


def test_records_maps_returned_by_a_function_called_per_record() -> None:
    per, pkg = _helper_per_record("helper")
    assert per is not None and per.call is not None
    assert pkg.text(per.call) == "parse(line)"  # type: ignore[attr-defined]
    assert pkg.text(per.container) == "out"  # type: ignore[attr-defined]
    assert per.region.type == "block"  # parse's body runs once per record
    per, pkg = _helper_per_record("helpererr")
    assert per is not None and pkg.text(per.container) == "byLine"  # type: ignore[attr-defined]


def test_records_maps_returned_to_callers_that_drop_them_are_not_per_record() -> None:
    assert _helper_per_record("unkept")[0] is None


FIELDS_SRC = """package p

func f(lines [][][]byte) []map[string]string {
	var out []map[string]string
	for _, line := range lines {
		rec := map[string]string{}
		/*@direct*/rec[string(line[0])] = "x"
		for _, f := range line {
			if len(f) > 0 {
				/*@field*/rec[string(f)] = "y"
			}
		}
		out = append(out, rec)
	}
	return out
}
"""


def test_records_in_field_loop_needs_a_loop_inside_the_record() -> None:
    pkg = package({"a.go": FIELDS_SRC})
    records = Records(pkg, Derivation(pkg))
    direct, field = at(pkg, "direct"), at(pkg, "field")
    per = records.per_record(direct.child_by_field_name("operand"))  # type: ignore[arg-type]
    assert per is not None
    assert records.in_field_loop(field, per)
    assert not records.in_field_loop(direct, per)
