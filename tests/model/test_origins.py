"""Origins: evident unbounded sources of map keys."""
from __future__ import annotations

import pytest

from golinter.model.origins import Origins
from golinter.parse import walk_named
from tests.model.test_lifetimes import make_package

HEAD = '''package p

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

var _ = fmt.Sprint
var _ = rand.Intn
var _ = os.Getenv
var _ = json.Marshal
var _ = strings.ToLower
var _ = time.Now
var _ = uuid.New
var _ net.Conn
var _ atomic.Int64
var _ http.Handler

var seen = map[string]int{}
'''


def key_description(body: str) -> str:
    """The description for the key of the first `seen[...]` insert in `body`."""
    pkg = make_package(HEAD + body)
    for node in walk_named(pkg.files[0].tree.root_node):
        if node.type == "index_expression" and pkg.text(node).startswith("seen["):
            index = node.child_by_field_name("index")
            assert index is not None
            return Origins.of(pkg).unbounded(index)
    raise AssertionError("no seen[...]")


@pytest.mark.parametrize("body, expected", [
    ("func h(w http.ResponseWriter, r *http.Request) { seen[r.RemoteAddr]++ }", "r.RemoteAddr (request data)"),
    ("func h(w http.ResponseWriter, r *http.Request) { seen[r.URL.Path]++ }", "r.URL.Path (request data)"),
    ("func h(w http.ResponseWriter, r *http.Request) { seen[r.Header.Get(\"X-User\")]++ }",
     'r.Header.Get("X-User") (request data)'),
    (("func h(w http.ResponseWriter, r *http.Request) {\n\thost, _, _ := net.SplitHostPort(r.RemoteAddr)\n"
     "\tseen[strings.ToLower(host)]++\n}"), "r.RemoteAddr (request data)"),
    ("func h(w http.ResponseWriter, r *http.Request) { seen[r.URL.Query().Get(\"id\")] = 1 }",
     'r.URL.Query().Get("id") (request data)'),
    ("func add() { seen[time.Now().Format(time.RFC3339)] = 1 }", "time.Now() (a timestamp)"),
    ("func add() { seen[fmt.Sprint(time.Now().Unix())] = 1 }", "time.Now() (a timestamp)"),
    ("func add() { seen[uuid.NewString()] = 1 }", "uuid.NewString() (a generated id)"),
    ("func add() { seen[uuid.New().String()] = 1 }", "uuid.New() (a generated id)"),
    ("func add() { seen[fmt.Sprint(rand.Int63())] = 1 }", "rand.Int63() (a random value)"),
    ("var next int64\nfunc add() { next++; seen[fmt.Sprint(next)] = 1 }", "next (a counter that only grows)"),
    ("type S struct{ seq atomic.Int64 }\nfunc (s *S) add() { id := s.seq.Add(1); seen[fmt.Sprint(id)] = 1 }",
     "s.seq.Add(1) (a counter that only grows)"),
    (("type Req struct{ ID string }\nfunc h(w http.ResponseWriter, r *http.Request) {\n\tvar req Req\n"
     "\tif err := json.NewDecoder(r.Body).Decode(&req); err != nil {\n\t\treturn\n\t}\n\tseen[req.ID] = 1\n}"),
     "r.Body (request data)"),
    ("func serve(conn net.Conn) { seen[conn.RemoteAddr().String()] = 1 }",
     "conn.RemoteAddr() (a network peer address)"),
    (("func clientIP(r *http.Request) string {\n\tif ip := r.Header.Get(\"X-Real-IP\"); ip != \"\" {\n"
     "\t\treturn ip\n\t}\n\treturn r.RemoteAddr\n}\n"
     "func h(w http.ResponseWriter, r *http.Request) { seen[clientIP(r)]++ }"), 'r.Header.Get("X-Real-IP") (request data)'),
    ("func record(ip string) { seen[ip]++ }\nfunc h(w http.ResponseWriter, r *http.Request) { record(r.RemoteAddr) }",
     "r.RemoteAddr (request data)"),
    (("type Event struct{ User string }\nfunc consume(ch chan Event) {\n\tfor ev := range ch {\n"
     "\t\tseen[ev.User] = 1\n\t}\n}\nfunc h(w http.ResponseWriter, r *http.Request) {}"), ""),
])
def test_origins_unbounded_sources(body: str, expected: str) -> None:
    assert key_description(body) == expected


@pytest.mark.parametrize("body", [
    "func add() { seen[\"total\"]++ }",
    "const kind = \"x\"\nfunc add() { seen[kind]++ }",
    "func add() { seen[os.Getenv(\"REGION\")]++ }",
    "func h(w http.ResponseWriter, r *http.Request) { seen[r.Method]++ }",
    "func add() { seen[time.Now().Weekday().String()]++ }",
    "func add() { seen[time.Now().Format(\"15:04\")]++ }",
    "func add() { seen[fmt.Sprint(rand.Intn(10))]++ }",
    "func add(name string) { seen[name]++ }",  # no caller: unknown
    ("func route(r *http.Request) string {\n\tif strings.HasPrefix(r.URL.Path, \"/api\") {\n\t\treturn \"api\"\n\t}\n"
    "\treturn \"web\"\n}\nfunc h(w http.ResponseWriter, r *http.Request) { seen[route(r)]++ }"),
    "var next int64\nfunc reset() { next = 0 }\nfunc add() { next++; seen[fmt.Sprint(next)] = 1 }",
    "type Cfg struct{ Name string }\nfunc load(b []byte) { var c Cfg; _ = json.Unmarshal(b, &c); seen[c.Name] = 1 }",
    ("func h(w http.ResponseWriter, r *http.Request) {\n\tfor i := range strings.Fields(r.URL.Path) {\n"
    "\t\tseen[fmt.Sprint(i)] = 1\n\t}\n}"),
    # a request's parts are request data only when they come from a request (temporal's DSN)
    ("func dsn(attrs map[string]string) string {\n\tvals := http.Header{}\n\tfor k, v := range attrs {\n"
     "\t\tvals.Set(k, v)\n\t}\n\treturn vals.Get(\"a\")\n}\nfunc add(a map[string]string) { seen[dsn(a)] = 1 }"),
    "func add(h http.Header) { seen[h.Get(\"X\")] = 1 }",  # no caller: unknown
])
def test_origins_bounded_or_unknown_sources(body: str) -> None:
    assert key_description(body) == ""
