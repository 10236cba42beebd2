"""The small table of standard-library types, fields, functions and methods type-lite knows.

Keys are (import path, name). Everything not listed is Unknown. Rules extend this table
rather than matching import paths themselves.
"""
from __future__ import annotations

from golinter.model.types import (
    INT, STRING, Basic, Chan, Field, Func, Interface, Map, Named, Pointer, Slice, Struct, Tuple, Type,
)

BYTES = Slice(Basic("byte"))
ERROR = Interface("error")
STRINGS = Slice(STRING)
INT64 = Basic("int64")
UINT64 = Basic("uint64")

# Underlying types of std named types whose shape matters (maps, structs with known fields).
STD_TYPES: dict[tuple[str, str], Type] = {
    ("net/http", "Header"): Map(STRING, STRINGS),
    ("net/url", "Values"): Map(STRING, STRINGS),
    ("net/http", "Request"): Struct((
        Field("Method", STRING), Field("URL", Pointer(Named("net/url", "URL"))),
        Field("Header", Named("net/http", "Header")), Field("Body", Named("io", "ReadCloser")),
        Field("ContentLength", INT64), Field("Host", STRING), Field("Form", Named("net/url", "Values")),
        Field("PostForm", Named("net/url", "Values")), Field("RemoteAddr", STRING),
        Field("RequestURI", STRING), Field("Trailer", Named("net/http", "Header")),
    )),
    ("net/url", "URL"): Struct((
        Field("Scheme", STRING), Field("Host", STRING), Field("Path", STRING), Field("RawQuery", STRING),
    )),
    ("time", "Duration"): INT64,
    ("io", "Reader"): Interface("io.Reader"),
    ("io", "ReadCloser"): Interface("io.ReadCloser"),
    ("context", "Context"): Interface("context.Context"),
    ("net", "Conn"): Interface("net.Conn"),
    ("net/http", "ResponseWriter"): Interface("http.ResponseWriter"),
}

# Result types of std functions: (path, name) -> results.
STD_FUNCS: dict[tuple[str, str], tuple[Type, ...]] = {
    ("fmt", "Sprintf"): (STRING,), ("fmt", "Sprint"): (STRING,), ("fmt", "Sprintln"): (STRING,),
    ("strconv", "Itoa"): (STRING,), ("strconv", "Atoi"): (INT, ERROR),
    ("strconv", "ParseInt"): (INT64, ERROR), ("strconv", "ParseUint"): (UINT64, ERROR),
    ("strconv", "FormatInt"): (STRING,), ("strconv", "Quote"): (STRING,),
    ("strings", "Split"): (STRINGS,), ("strings", "SplitN"): (STRINGS,), ("strings", "Fields"): (STRINGS,),
    ("strings", "TrimSpace"): (STRING,), ("strings", "Trim"): (STRING,), ("strings", "TrimPrefix"): (STRING,),
    ("strings", "TrimSuffix"): (STRING,), ("strings", "TrimLeft"): (STRING,), ("strings", "TrimRight"): (STRING,),
    ("strings", "ToLower"): (STRING,), ("strings", "ToUpper"): (STRING,), ("strings", "Join"): (STRING,),
    ("strings", "Clone"): (STRING,), ("strings", "Repeat"): (STRING,), ("strings", "ReplaceAll"): (STRING,),
    ("strings", "Cut"): (STRING, STRING, Basic("bool")),
    ("strings", "CutPrefix"): (STRING, Basic("bool")), ("strings", "CutSuffix"): (STRING, Basic("bool")),
    ("path", "Base"): (STRING,), ("path/filepath", "Base"): (STRING,), ("path/filepath", "Ext"): (STRING,),
    ("path/filepath", "Join"): (STRING,), ("path", "Join"): (STRING,),
    ("io", "ReadAll"): (BYTES, ERROR), ("os", "ReadFile"): (BYTES, ERROR),
    ("io/ioutil", "ReadAll"): (BYTES, ERROR), ("io/ioutil", "ReadFile"): (BYTES, ERROR),
    ("os", "Getenv"): (STRING,), ("os", "LookupEnv"): (STRING, Basic("bool")),
    ("errors", "New"): (ERROR,), ("fmt", "Errorf"): (ERROR,),
    ("time", "Now"): (Named("time", "Time"),), ("time", "Since"): (Named("time", "Duration"),),
    ("time", "After"): (Chan(Named("time", "Time"), "recv"),),
    ("encoding/binary", "ReadUvarint"): (UINT64, ERROR), ("encoding/binary", "ReadVarint"): (INT64, ERROR),
    ("encoding/binary", "Uvarint"): (UINT64, INT), ("encoding/binary", "Varint"): (INT64, INT),
    ("encoding/json", "Marshal"): (BYTES, ERROR), ("encoding/json", "Unmarshal"): (ERROR,),
    ("bytes", "TrimSpace"): (BYTES,), ("bytes", "Split"): (Slice(BYTES),), ("bytes", "Fields"): (Slice(BYTES),),
    ("unique", "Make"): (Named("unique", "Handle"),),
    ("context", "Background"): (Named("context", "Context"),),
    ("context", "TODO"): (Named("context", "Context"),),
    # GML004/GML007: regexp constructors, more strings splitters and trimmers
    ("regexp", "MustCompile"): (Pointer(Named("regexp", "Regexp")),),
    ("regexp", "Compile"): (Pointer(Named("regexp", "Regexp")), ERROR),
    ("strings", "FieldsFunc"): (STRINGS,), ("strings", "SplitAfter"): (STRINGS,),
    ("strings", "SplitAfterN"): (STRINGS,), ("strings", "TrimFunc"): (STRING,),
    ("strings", "TrimLeftFunc"): (STRING,), ("strings", "TrimRightFunc"): (STRING,),
    ("path", "Ext"): (STRING,),
    ("bufio", "NewScanner"): (Pointer(Named("bufio", "Scanner")),),
    ("bufio", "NewReader"): (Pointer(Named("bufio", "Reader")),),
    # GML004 per-record maps: byte-slice parsers
    ("bytes", "Cut"): (BYTES, BYTES, Basic("bool")), ("bytes", "SplitN"): (Slice(BYTES),),
    ("bytes", "CutPrefix"): (BYTES, Basic("bool")), ("bytes", "CutSuffix"): (BYTES, Basic("bool")),
    ("bytes", "Trim"): (BYTES,), ("bytes", "TrimPrefix"): (BYTES,), ("bytes", "TrimSuffix"): (BYTES,),
}

# Result types of std methods: (path, type name, method) -> results.
STD_METHODS: dict[tuple[str, str, str], tuple[Type, ...]] = {
    ("net/http", "Request", "FormValue"): (STRING,),
    ("net/http", "Request", "PostFormValue"): (STRING,),
    ("net/http", "Request", "PathValue"): (STRING,),
    ("net/http", "Request", "Context"): (Named("context", "Context"),),
    ("net/http", "Request", "Cookie"): (Pointer(Named("net/http", "Cookie")), ERROR),
    ("net/url", "URL", "Query"): (Named("net/url", "Values"),),
    ("net/url", "URL", "String"): (STRING,),
    ("net/url", "Values", "Get"): (STRING,),
    ("net/http", "Header", "Get"): (STRING,),
    ("net/http", "Header", "Values"): (STRINGS,),
    ("bufio", "Scanner", "Text"): (STRING,),
    ("bufio", "Scanner", "Bytes"): (BYTES,),
    ("bufio", "Scanner", "Scan"): (Basic("bool"),),
    ("bufio", "Reader", "ReadString"): (STRING, ERROR),
    ("bytes", "Buffer", "String"): (STRING,),
    ("strings", "Builder", "String"): (STRING,),
    ("regexp", "Regexp", "FindString"): (STRING,),
    ("regexp", "Regexp", "FindStringSubmatch"): (STRINGS,),
    ("regexp", "Regexp", "FindAllString"): (STRINGS,),
    ("sync", "Map", "Load"): (Interface("any"), Basic("bool")),
    ("time", "Time", "Unix"): (INT64,),
    ("time", "Time", "UnixNano"): (INT64,),
    ("unique", "Handle", "Value"): (STRING,),
    ("encoding/binary", "ByteOrder", "Uint16"): (Basic("uint16"),),
    ("encoding/binary", "ByteOrder", "Uint32"): (Basic("uint32"),),
    ("encoding/binary", "ByteOrder", "Uint64"): (UINT64,),
    ("regexp", "Regexp", "FindAllStringSubmatch"): (Slice(STRINGS),),
}

# Package-level std variables whose type matters (binary.BigEndian is a ByteOrder value).
STD_VARS: dict[tuple[str, str], Type] = {
    ("encoding/binary", "BigEndian"): Named("encoding/binary", "ByteOrder"),
    ("encoding/binary", "LittleEndian"): Named("encoding/binary", "ByteOrder"),
    ("os", "Args"): STRINGS,
}

STD_FUNC_TYPES: dict[tuple[str, str], Func] = {
    key: Func((), results) for key, results in STD_FUNCS.items()
}


def func_results(path: str, name: str) -> Type | None:
    results = STD_FUNCS.get((path, name))
    if results is None:
        return None
    return results[0] if len(results) == 1 else Tuple(results)

# GML008: network sources (connections accepted from a listener, peer addresses).
STD_TYPES.update({
    ("net", "Listener"): Interface("net.Listener"),
    ("net", "Addr"): Interface("net.Addr"),
})
STD_METHODS.update({
    ("net", "Listener", "Accept"): (Named("net", "Conn"), ERROR),
    ("net", "Conn", "RemoteAddr"): (Named("net", "Addr"),),
    ("net", "Addr", "String"): (STRING,),
})


# Readers, decoders and binary reads (GML006 follows attacker-controlled data through them).
STD_FUNCS.update({
    ("bufio", "NewReader"): (Pointer(Named("bufio", "Reader")),),
    ("bufio", "NewReaderSize"): (Pointer(Named("bufio", "Reader")),),
    ("bytes", "NewReader"): (Pointer(Named("bytes", "Reader")),),
    ("io", "LimitReader"): (Named("io", "Reader"),),
    ("io", "ReadFull"): (INT, ERROR), ("io", "ReadAtLeast"): (INT, ERROR),
    ("encoding/binary", "Read"): (ERROR,),
    ("encoding/json", "NewDecoder"): (Pointer(Named("encoding/json", "Decoder")),),
    ("encoding/gob", "NewDecoder"): (Pointer(Named("encoding/gob", "Decoder")),),
    ("encoding/xml", "NewDecoder"): (Pointer(Named("encoding/xml", "Decoder")),),
})
STD_FUNC_TYPES.update({key: Func((), results) for key, results in STD_FUNCS.items() if key not in STD_FUNC_TYPES})
STD_METHODS.update({
    ("bufio", "Reader", "ReadByte"): (Basic("byte"), ERROR),
    ("bufio", "Reader", "Peek"): (BYTES, ERROR),
    ("bufio", "Reader", "ReadBytes"): (BYTES, ERROR),
    ("io", "ByteReader", "ReadByte"): (Basic("byte"), ERROR),
    ("net/http", "Request", "UserAgent"): (STRING,),
})

# GML003: errgroup.WithContext returns the group whose Go spawns and whose Wait joins.
STD_FUNCS.update({
    ("golang.org/x/sync/errgroup", "WithContext"): (
        Pointer(Named("golang.org/x/sync/errgroup", "Group")), Named("context", "Context")),
})
STD_FUNC_TYPES.update({key: Func((), results) for key, results in STD_FUNCS.items() if key not in STD_FUNC_TYPES})


# GML002: std "maps" functions returning live iterators over their map argument (Go 1.23).
# x/exp/maps.Keys/Values return slices (copies) and are deliberately absent.
LIVE_MAP_VIEWS: dict[tuple[str, str], str] = {
    ("maps", "Keys"): "keys", ("maps", "Values"): "values", ("maps", "All"): "all",
}
LIVE_MAP_VIEWS_SINCE = (1, 23)

# Calls that never return to their caller (early exits for control flow).
STD_NORETURN_FUNCS: frozenset[tuple[str, str]] = frozenset({
    ("os", "Exit"), ("runtime", "Goexit"),
    ("log", "Fatal"), ("log", "Fatalf"), ("log", "Fatalln"),
    ("log", "Panic"), ("log", "Panicf"), ("log", "Panicln"),
})
STD_NORETURN_METHODS: frozenset[tuple[str, str, str]] = frozenset(
    {(path, recv, name) for path, recv in (("testing", "T"), ("testing", "B"), ("testing", "F"))
     for name in ("Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow")}
    | {("log", "Logger", name) for name in ("Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln")}
)

# Std calls with an effect outside the caller that a loop's result can depend on (output).
STD_EFFECT_FUNCS: frozenset[tuple[str, str]] = frozenset({
    ("fmt", "Print"), ("fmt", "Printf"), ("fmt", "Println"),
    ("fmt", "Fprint"), ("fmt", "Fprintf"), ("fmt", "Fprintln"),
    ("os", "Remove"), ("os", "RemoveAll"), ("os", "WriteFile"), ("os", "Rename"),
})
STD_EFFECT_METHODS: frozenset[tuple[str, str, str]] = frozenset(
    {(path, recv, name) for path, recv in (("bytes", "Buffer"), ("strings", "Builder"))
     for name in ("Write", "WriteString", "WriteByte", "WriteRune")}
    | {(path, recv, name) for path, recv in (("net/http", "Header"), ("net/url", "Values"))
       for name in ("Set", "Add", "Del")}
)

# Std functions whose string result contains their arguments plus more (concatenation): applied
# to their own result they give a longer string, never the same one.
STD_CONCATENATORS: frozenset[tuple[str, str]] = frozenset({
    ("fmt", "Sprintf"), ("fmt", "Sprint"), ("fmt", "Sprintln"), ("path", "Join"),
    ("path/filepath", "Join"), ("strings", "Join"), ("strings", "Repeat"),
})
