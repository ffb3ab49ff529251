// Text encodings met in French exports, their detection, and a streaming
// decoder that turns any of them into UTF-8 for the parsers.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/byte_source.hpp"

namespace crm {

enum class Encoding {
    Utf8,         // no BOM (a BOM is still stripped if present)
    Utf8Bom,      // UTF-8 with a leading EF BB BF (stripped)
    Windows1252,  // 0x80-0x9F per Windows-1252; the 5 undefined bytes are an error
    Latin1,       // decoded like Windows-1252, but the 5 undefined bytes become U+0081.. (C1)
    Utf16LE,      // BOM stripped; an opposite BOM switches to big-endian
    Utf16BE,      // BOM stripped; an opposite BOM switches to little-endian
    Latin9,       // ISO-8859-15 (added: euro sign at 0xA4, OE/oe, S/Z caron, Y diaeresis)
};

// "utf-8", "utf-8-bom", "windows-1252", "latin-1", "utf-16le", "utf-16be", "iso-8859-15".
const char* encoding_name(Encoding);

// Case-insensitive, ignores '-', '_', '.' and spaces: utf8, utf-8-bom, utf8-sig, ascii,
// cp1252, win1252, windows-1252, ansi, latin1, iso-8859-1, l1, iso-8859-15, latin9,
// utf-16le, utf-16be, utf-16 / unicode (little-endian, BOM honoured). Unknown -> nullopt.
std::optional<Encoding> parse_encoding_name(std::string_view);

// BOM first (UTF-8, UTF-16 LE/BE); then UTF-16 by the pattern of NUL bytes; then
// valid UTF-8 (pure ASCII included; an incomplete sequence cut by the end of the
// sample is accepted when the sample already holds a multi-byte sequence) -> Utf8;
// anything else -> Windows1252 (the usual French Excel/ERP export).
Encoding detect_encoding(std::string_view sample);

// Length of the longest valid UTF-8 prefix (rejects overlongs, surrogates, > U+10FFFF).
size_t utf8_valid_prefix(std::string_view);

// A source yielding UTF-8 from `raw` (which must outlive it). Strips a BOM.
// Decoding errors are crm::ParseError (SQLSTATE 22021) naming `file_name` and the
// physical line (counted on the decoded text). UTF-8 input is passed through
// unchecked: the CSV reader validates it (so it can name line and column).
std::unique_ptr<ByteSource> make_utf8_source(ByteSource& raw, Encoding enc, std::string file_name = {});

}  // namespace crm
