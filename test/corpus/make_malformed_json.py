#!/usr/bin/env python3
"""Malformed and hostile JSON API bodies for the corpus test (test/integration/malformed_corpus.sh).

Usage: make_malformed_json.py OUT_DIR

Writes one file per body into OUT_DIR, named <what it is>.json. Every body stands where an http_json
source with "records": "" expects an array of record objects, read as jsonb and as the typed columns
    id int, amount numeric, label text, active boolean, qty bigint, seen_at timestamptz, payload jsonb,
    first_tag text
(members of the same names; first_tag is /payload/tags/0). Each body must end in rows or a classified
SQLSTATE error in pg_crm, never an internal error or a crash.
The bodies are the same bytes on every run (no randomness, no clock). Prints the number of bodies.
"""

import json
import os
import sys

DEEP = 100_000          # nesting levels of the deepest bodies
LONG = 8 << 20          # bytes of the longest string
MANY = 100_000          # records of the mixed-shape bodies


def record(i):
    """A well-formed record."""
    return {"id": i, "amount": f"{i * 7 % 1000}.{i % 100:02d}", "label": f"Cuvée n°{i}", "active": i % 2 == 0,
            "qty": i * 3, "seen_at": f"2024-05-{1 + i % 28:02d}T08:00:00Z", "payload": {"tags": ["vin", i]}}


def dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


GOOD = dumps([record(1), record(2), record(3)])


# Records as text, to splice raw (invalid) bytes or tokens into: [{"id":1,"amount":12.5,"label":"<raw>"}].
def with_label(raw):
    return b'[{"id":1,"amount":12.5,"label":"' + raw + b'"}]'


# [{"id":1,"label":"x","<name>":<raw>}]
def with_member(name, raw_value):
    return b'[{"id":1,"label":"x","' + name.encode() + b'":' + raw_value + b'}]'


def deep_arrays(levels):
    return b"[" * levels + b"]" * levels


def deep_objects_in_record(levels):
    return b'[{"id":1,"payload":' + b'{"a":' * levels + b"1" + b"}" * levels + b"}]"


def mixed_shapes(count, poison_last):
    """`count` records of varying shapes, all convertible to the typed columns (numbers as strings or
    numbers, members missing, nulls, Odoo's false, extra members, nested payloads) but, with
    poison_last, the last one whose id is not an integer."""
    parts = []
    for i in range(1, count + 1):
        shape = i % 8
        if shape == 0:
            r = {"id": i}
        elif shape == 1:
            r = record(i)
        elif shape == 2:
            r = {"id": str(i), "amount": i / 4, "label": None, "active": None}
        elif shape == 3:
            r = {"id": i, "amount": False, "label": False, "qty": None, "extra": {"deep": [[i]]}}
        elif shape == 4:
            r = {"label": f"sans id {i}", "payload": [i, None, {"k": "v"}], "unknown": True}
        elif shape == 5:
            r = {"id": i, "amount": "-0.0", "qty": str(i * 1000), "payload": "chaîne"}
        elif shape == 6:
            r = {"id": i, "seen_at": None, "label": "é" * (i % 50), "payload": None}
        else:
            r = {}
        parts.append(dumps(r))
    if poison_last:
        parts[-1] = dumps({"id": "pas un entier", "label": "dernier"})
    return b"[" + b",".join(parts) + b"]"


def bodies():
    """(name, bytes) of every body, in a stable order."""
    yield "valid_three_records", GOOD
    yield "valid_empty_array", b"[]"
    yield "valid_nested_payload_depth_1000", b'[{"id":1,"payload":' + b"[" * 1000 + b"]" * 1000 + b"}]"

    # Cut short.
    yield "truncated_half_document", GOOD[: len(GOOD) // 2]
    yield "truncated_open_bracket", b"["
    yield "truncated_after_comma", b'[{"id":1},'
    yield "truncated_mid_number", b'[{"id":12'
    yield "truncated_mid_key", b'[{"la'
    yield "truncated_mid_escape", b'[{"label":"\\u00'
    yield "truncated_mid_utf8_char", '[{"label":"é'.encode("utf-8")[:-1]
    yield "truncated_before_last_bracket", GOOD[:-1]

    # Bytes that are not UTF-8 JSON.
    yield "invalid_utf8_ff_byte", with_label(b"caf\xff")
    yield "invalid_utf8_overlong_slash", with_label(b"\xc0\xaf")
    yield "invalid_utf8_encoded_surrogate", with_label(b"\xed\xa0\x80")
    yield "invalid_utf8_continuation_alone", with_label(b"\x80\x80")
    yield "invalid_utf8_above_u10ffff", with_label(b"\xf4\x90\x80\x80")
    yield "latin1_body", with_label("Cuvée Élégance".encode("latin-1"))
    yield "utf8_bom_prefix", b"\xef\xbb\xbf" + GOOD
    yield "utf16le_with_bom", b"\xff\xfe" + GOOD.decode("utf-8").encode("utf-16-le")
    yield "nul_byte_in_string", with_label(b"a\x00b")
    yield "nul_byte_between_tokens", b'[{"id":1}\x00,{"id":2}]'
    yield "nul_bytes_only", b"\x00" * 64
    yield "unescaped_newline_tab_in_string", with_label(b"ligne 1\nligne 2\tfin")
    yield "unescaped_control_01_1f", with_label(bytes(range(1, 32)))
    yield "unescaped_del_7f", with_label(b"a\x7fb")

    # Escapes.
    yield "escape_lone_high_surrogate", with_label(b"\\ud800")
    yield "escape_lone_low_surrogate", with_label(b"\\udc00")
    yield "escape_reversed_surrogates", with_label(b"\\udc00\\ud800")
    yield "escape_high_surrogate_then_text", with_label(b"\\ud83dx")
    yield "escape_valid_surrogate_pair", with_label(b"\\ud83c\\udf77 rouge")
    yield "escape_nul_u0000", with_label(b"avant\\u0000apres")
    yield "escape_nul_in_payload", with_member("payload", b'{"k":"\\u0000"}')
    yield "escape_noncharacters", with_label(b"\\uffff\\ufffe\\ufdd0")
    yield "escape_invalid_x41", with_label(b"\\x41")
    yield "escape_short_u12", with_label(b"\\u12")
    yield "escape_non_hex_uzzzz", with_label(b"\\uzzzz")

    # Not JSON, or more than one document.
    yield "empty_body", b""
    yield "whitespace_only", b" \t\r\n " * 100
    yield "trailing_garbage", GOOD + b" garbage"
    yield "two_documents", GOOD + GOOD
    yield "trailing_comma_in_array", b'[{"id":1},{"id":2},]'
    yield "trailing_comma_in_object", b'[{"id":1,"label":"x",}]'
    yield "single_quoted_strings", b"[{'id':1,'label':'x'}]"
    yield "unquoted_keys", b'[{id:1,label:"x"}]'
    yield "javascript_comments", b'[/* un */{"id":1} // deux\n]'
    yield "html_error_page", b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
    yield "missing_colon", b'[{"id" 1}]'
    yield "unbalanced_brackets", b'[{"id":1}]]]'

    # Valid JSON, wrong shape.
    yield "root_object_record", dumps(record(1))
    yield "root_object_with_items", dumps({"items": [record(1)]})
    yield "root_string", b'"[{\\"id\\":1}]"'
    yield "root_number", b"42"
    yield "root_null", b"null"
    yield "root_true", b"true"
    yield "records_are_scalars", b'[1,"deux",null,true,3.5]'
    yield "records_are_arrays", b"[[1,2],[3],[]]"
    yield "records_mixed_object_and_scalar", b'[{"id":1},2,{"id":3}]'

    # Depth.
    yield "deep_arrays_100000", deep_arrays(DEEP)
    yield "deep_objects_100000_in_record", deep_objects_in_record(DEEP)
    yield "deep_unclosed_arrays_100000", b"[" * DEEP

    # Size.
    yield "long_string_8mb", with_label(b"x" * LONG)
    yield "long_string_of_escapes_2mb", with_label(b"\\u00e9" * ((2 << 20) // 6))
    yield "long_key_1mb", b'[{"' + b"k" * (1 << 20) + b'":1,"id":1}]'
    yield "record_with_100000_members", b"[{" + b",".join(b'"m%d":%d' % (i, i) for i in range(MANY)) + b',"id":1}]'
    yield "long_number_100000_digits", with_member("amount", b"1" + b"0" * 100_000)

    # Numbers.
    yield "number_1e400", with_member("amount", b"1e400")
    yield "number_minus_1e400", with_member("amount", b"-1e400")
    yield "number_1e_minus_400", with_member("amount", b"1e-400")
    yield "number_1e400_in_int_column", b'[{"id":1e400}]'
    yield "number_leading_zeros", with_member("amount", b"007")
    yield "number_nan_literal", with_member("amount", b"NaN")
    yield "number_infinity_literals", b'[{"id":1,"amount":Infinity},{"id":2,"amount":-Infinity}]'
    yield "number_hex", with_member("amount", b"0x1F")
    yield "number_plus_sign", with_member("amount", b"+1")
    yield "number_trailing_dot", with_member("amount", b"1.")
    yield "number_leading_dot", with_member("amount", b".5")
    yield "number_minus_zero", b'[{"id":-0,"amount":-0.0,"qty":-0}]'
    yield "number_beyond_64_bits", with_member("amount", b"18446744073709551616")
    yield "number_uint64_max_in_bigint", with_member("qty", b"18446744073709551615")
    yield "number_int_out_of_range", b'[{"id":2147483648}]'
    yield "number_int_min_minus_one", b'[{"id":-2147483649}]'
    yield "number_fraction_in_int_column", b'[{"id":1.5}]'
    yield "number_exponent_in_int_column", b'[{"id":1e3}]'

    # Valid JSON, wrong types for the typed columns.
    yield "type_string_for_int", b'[{"id":"abc"}]'
    yield "type_numeric_string_for_int", b'[{"id":"42","amount":"12,50"}]'
    yield "type_object_for_numeric", b'[{"id":1,"amount":{"value":12.5}}]'
    yield "type_array_for_numeric", b'[{"id":1,"amount":[12.5]}]'
    yield "type_boolean_for_int", b'[{"id":true}]'
    yield "type_boolean_for_numeric", b'[{"id":1,"amount":false},{"id":2,"amount":true}]'
    yield "type_string_for_boolean", b'[{"id":1,"active":"oui"}]'
    yield "type_number_for_boolean", b'[{"id":1,"active":1}]'
    yield "type_object_for_text", b'[{"id":1,"label":{"fr":"rouge"}}]'
    yield "type_bad_timestamp", b'[{"id":1,"seen_at":"31/02/2024 25:61"}]'
    yield "type_number_for_timestamp", b'[{"id":1,"seen_at":1714550400}]'
    yield "type_scalar_for_jsonb", b'[{"id":1,"payload":12.5},{"id":2,"payload":"s"},{"id":3,"payload":false}]'
    yield "nulls_everywhere", dumps([{k: None for k in record(1)} for _ in range(50)])
    yield "empty_objects", b"[{},{},{}]"
    yield "duplicate_keys", b'[{"id":1,"id":2,"label":"a","label":"b"}]'
    yield "duplicate_keys_conflicting_types", b'[{"id":"x","id":3,"amount":{},"amount":1}]'
    yield "keys_needing_pointer_escapes", b'[{"id":1,"a/b":1,"m~n":2,"":3}]'

    # Many records.
    yield "mixed_shapes_100000_records", mixed_shapes(MANY, poison_last=False)
    yield "mixed_shapes_100000_then_bad_id", mixed_shapes(MANY, poison_last=True)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2])
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    names = set()
    for name, body in bodies():
        if name in names:
            sys.exit(f"two bodies named {name}")
        names.add(name)
        with open(os.path.join(out, name + ".json"), "wb") as f:
            f.write(body)
    print(len(names))


if __name__ == "__main__":
    main()
