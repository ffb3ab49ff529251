#include "core/xml_stream.hpp"

#include <cstring>
#include <expat.h>

#include "core/error.hpp"

#include "core/core_only.hpp"

namespace crm {

namespace {
XML_Parser P(void* p) { return static_cast<XML_Parser>(p); }
int refuse_external(XML_Parser, const XML_Char*, const XML_Char*, const XML_Char*, const XML_Char*) {
    return XML_STATUS_ERROR;  // never load external entities
}
}  // namespace

XmlStream::XmlStream(XmlHandler& handler, std::string what, int max_depth)
    : handler_(handler), what_(std::move(what)), max_depth_(max_depth), parser_(XML_ParserCreate(nullptr)) {
    if (!parser_) throw Error(sqlstate::kProgramLimitExceeded, what_ + ": out of memory creating XML parser");
    XML_Parser p = P(parser_);
    XML_SetUserData(p, this);
    XML_SetElementHandler(p, &XmlStream::start_cb, &XmlStream::end_cb);
    XML_SetCharacterDataHandler(p, &XmlStream::text_cb);
    XML_SetStartDoctypeDeclHandler(p, &XmlStream::doctype_cb);
    XML_SetEntityDeclHandler(p, &XmlStream::entity_cb);
    XML_SetExternalEntityRefHandler(p, &refuse_external);
#ifdef XML_DTD
    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
    // Belt and braces: a DOCTYPE is refused anyway.
    XML_SetBillionLaughsAttackProtectionMaximumAmplification(p, 10.0f);
#endif
}

XmlStream::~XmlStream() { XML_ParserFree(P(parser_)); }

const char* XmlStream::attr(const char** attrs, std::string_view local) {
    for (; attrs && attrs[0]; attrs += 2) {
        if (local_name(attrs[0]) == local) return attrs[1];
    }
    return nullptr;
}

std::string_view XmlStream::local_name(const char* name) {
    const char* start = name;
    const char* p = name;
    for (; *p; ++p)
        if (*p == ':') start = p + 1;
    return std::string_view(start, static_cast<std::size_t>(p - start));
}

unsigned long XmlStream::line() const { return XML_GetCurrentLineNumber(P(parser_)); }

void XmlStream::abort_with(std::exception_ptr e) {
    if (!pending_) pending_ = e;
    XML_StopParser(P(parser_), XML_FALSE);
}

void XmlStream::start_cb(void* ud, const char* name, const char** attrs) {
    auto* self = static_cast<XmlStream*>(ud);
    if (self->pending_) return;
    try {
        if (++self->depth_ > self->max_depth_) {
            throw ParseError(Location{}, self->what_ + " line " + std::to_string(self->line()) +
                                             ": XML nesting deeper than " + std::to_string(self->max_depth_) +
                                             " levels",
                             {}, sqlstate::kProgramLimitExceeded);
        }
        self->handler_.on_start(local_name(name), attrs);
    } catch (...) {
        self->abort_with(std::current_exception());
    }
}

void XmlStream::end_cb(void* ud, const char* name) {
    auto* self = static_cast<XmlStream*>(ud);
    if (self->pending_) return;
    try {
        --self->depth_;
        self->handler_.on_end(local_name(name));
    } catch (...) {
        self->abort_with(std::current_exception());
    }
}

void XmlStream::text_cb(void* ud, const char* s, int len) {
    auto* self = static_cast<XmlStream*>(ud);
    if (self->pending_) return;
    try {
        self->handler_.on_text(s, len);
    } catch (...) {
        self->abort_with(std::current_exception());
    }
}

void XmlStream::doctype_cb(void* ud, const char*, const char*, const char*, int) {
    auto* self = static_cast<XmlStream*>(ud);
    if (self->pending_) return;
    self->abort_with(std::make_exception_ptr(
        ParseError(Location{}, self->what_ + ": XML with a DOCTYPE/DTD is refused (possible entity expansion attack)")));
}

void XmlStream::entity_cb(void* ud, const char*, int, const char*, int, const char*, const char*, const char*,
                          const char*) {
    auto* self = static_cast<XmlStream*>(ud);
    if (self->pending_) return;
    self->abort_with(
        std::make_exception_ptr(ParseError(Location{}, self->what_ + ": XML entity declarations are refused")));
}


void XmlStream::suspend() {
    if (suspended_ || pending_) return;
    if (XML_StopParser(P(parser_), XML_TRUE) == XML_STATUS_OK) suspended_ = true;
}

void XmlStream::resume() {
    if (!suspended_) return;
    suspended_ = false;
    check(XML_ResumeParser(P(parser_)));
}

void XmlStream::check(int status) {
    if (pending_) {
        auto e = pending_;
        pending_ = nullptr;
        done_ = true;
        std::rethrow_exception(e);
    }
    if (status == XML_STATUS_SUSPENDED) return;
    suspended_ = false;
    if (status != XML_STATUS_OK) {
        done_ = true;
        XML_Parser p = P(parser_);
        throw ParseError(Location{}, what_ + " line " + std::to_string(XML_GetCurrentLineNumber(p)) + ", column " +
                                         std::to_string(XML_GetCurrentColumnNumber(p)) +
                                         ": invalid XML: " + XML_ErrorString(XML_GetErrorCode(p)));
    }
}

void XmlStream::feed(const char* data, std::size_t n, bool final) {
    if (suspended_) throw Error(sqlstate::kInternalError, what_ + ": XML parser fed while suspended");
    if (done_) throw Error(sqlstate::kInternalError, what_ + ": XML parser used after an error");
    while (n > 0 || final) {
        std::size_t part = n > (1u << 30) ? (1u << 30) : n;
        bool last = final && part == n;
        check(XML_Parse(P(parser_), data, static_cast<int>(part), last ? XML_TRUE : XML_FALSE));
        data += part;
        n -= part;
        if (last) break;
    }
}

char* XmlStream::buffer(std::size_t n) {
    if (suspended_) throw Error(sqlstate::kInternalError, what_ + ": XML parser fed while suspended");
    if (done_) throw Error(sqlstate::kInternalError, what_ + ": XML parser used after an error");
    void* b = XML_GetBuffer(P(parser_), static_cast<int>(n));
    if (!b) throw Error(sqlstate::kProgramLimitExceeded, what_ + ": out of memory in XML parser");
    return static_cast<char*>(b);
}

void XmlStream::parse_buffer(std::size_t filled, bool final) {
    check(XML_ParseBuffer(P(parser_), static_cast<int>(filled), final ? XML_TRUE : XML_FALSE));
}

}  // namespace crm
