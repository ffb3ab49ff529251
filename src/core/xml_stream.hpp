// A thin, safe wrapper over expat for the XML parts of office files.
//
//  * Any DOCTYPE (hence any DTD, entity declaration, external entity) is
//    refused: OOXML parts never carry one, and refusing it up front closes the
//    door on entity-expansion ("billion laughs") and external-entity attacks.
//  * Element depth is capped.
//  * Handlers may throw: the exception is captured, parsing is stopped and the
//    exception is rethrown from feed() once expat has returned (exceptions
//    never cross expat's C frames).
// Element and attribute names are reported by LOCAL name (prefix dropped):
// "x:row" and "row" are the same element, "r:id" is "id".
#pragma once

#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

namespace crm {

class XmlHandler {
public:
    virtual ~XmlHandler() = default;
    // attrs: expat's NULL-terminated name/value array (names not stripped;
    // use XmlStream::attr to look one up by local name).
    virtual void on_start(std::string_view local, const char** attrs) = 0;
    virtual void on_end(std::string_view local) = 0;
    virtual void on_text(const char* s, int len) = 0;
};

class XmlStream {
public:
    // `what` names the part in messages: "web.xlsx: xl/worksheets/sheet1.xml".
    XmlStream(XmlHandler& handler, std::string what, int max_depth);
    ~XmlStream();
    XmlStream(const XmlStream&) = delete;
    XmlStream& operator=(const XmlStream&) = delete;

    // Parses the next chunk (final=true on the last one, possibly empty).
    void feed(const char* data, std::size_t n, bool final);
    // Zero-copy variant: fill buffer(n) then call parse_buffer(filled, final).
    char* buffer(std::size_t n);
    void parse_buffer(std::size_t filled, bool final);

    // From a handler: pause after the current event; feed()/parse_buffer()
    // return with suspended() true and resume() continues the same input.
    void suspend();
    bool suspended() const { return suspended_; }
    void resume();

    // Value of the attribute whose local name is `local`, or nullptr.
    static const char* attr(const char** attrs, std::string_view local);
    static std::string_view local_name(const char* name);

    const std::string& what() const { return what_; }
    unsigned long line() const;

private:
    static void start_cb(void* ud, const char* name, const char** attrs);
    static void end_cb(void* ud, const char* name);
    static void text_cb(void* ud, const char* s, int len);
    static void doctype_cb(void* ud, const char* name, const char* sysid, const char* pubid, int has_internal);
    static void entity_cb(void* ud, const char* name, int is_param, const char* value, int value_len,
                          const char* base, const char* sysid, const char* pubid, const char* notation);
    void abort_with(std::exception_ptr e);
    void check(int status);

    XmlHandler& handler_;
    std::string what_;
    int max_depth_;
    int depth_ = 0;
    void* parser_;  // XML_Parser
    std::exception_ptr pending_;
    bool done_ = false;
    bool suspended_ = false;
};

}  // namespace crm
