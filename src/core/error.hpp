// Errors raised by core code. They carry a SQLSTATE (five characters, the
// same spelling PostgreSQL uses) so that the boundary in src/pg can report
// them without flattening every failure to an internal error.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace crm {

// SQLSTATE codes used by core code. Kept here as plain strings: core code
// never sees PostgreSQL's errcodes.h.
namespace sqlstate {
inline constexpr const char* kInvalidTextRepresentation = "22P02";
inline constexpr const char* kDataException = "22000";
inline constexpr const char* kInvalidParameterValue = "22023";
inline constexpr const char* kCharacterNotInRepertoire = "22021";
inline constexpr const char* kProgramLimitExceeded = "54000";
inline constexpr const char* kInsufficientPrivilege = "42501";
inline constexpr const char* kUndefinedFile = "58P01";
inline constexpr const char* kDuplicateFile = "58P02";
inline constexpr const char* kIoError = "58030";
inline constexpr const char* kConnectionFailure = "08006";
inline constexpr const char* kUnableToConnect = "08001";
inline constexpr const char* kProtocolViolation = "08P01";
inline constexpr const char* kInvalidAuthorization = "28000";
inline constexpr const char* kInvalidJsonText = "22032";
inline constexpr const char* kQueryCanceled = "57014";
inline constexpr const char* kInternalError = "XX000";
}  // namespace sqlstate

// Where in an input the problem is; zero means "not known".
struct Location {
    std::string file;
    std::uint64_t line = 0;    // physical line, 1-based
    std::uint64_t record = 0;  // logical record, 1-based
    std::string column;        // column name or 1-based index as text
};

class Error : public std::runtime_error {
public:
    Error(const char* sqlstate, std::string message, std::string detail = {}, std::string hint = {});

    const char* sqlstate() const noexcept { return sqlstate_; }
    const std::string& detail() const noexcept { return detail_; }
    const std::string& hint() const noexcept { return hint_; }

private:
    const char* sqlstate_;
    std::string detail_;
    std::string hint_;
};

// Input that cannot be read: the message names the file, line and column.
class ParseError : public Error {
public:
    ParseError(const Location& where, const std::string& what, std::string detail = {},
               const char* state = sqlstate::kInvalidTextRepresentation);

    const Location& where() const noexcept { return where_; }

private:
    Location where_;
};

// Thrown by check_interrupts() when the backend has a cancel or terminate
// request pending; the boundary unwinds, then lets PostgreSQL process it.
class Cancelled : public std::exception {
public:
    const char* what() const noexcept override { return "canceling statement due to user request"; }
};

// "file.csv line 12, column "quantite"" — the prefix every located message uses.
std::string describe(const Location& where);

// Text fit to be quoted in an error (a server's body, a user's path):
// control characters become spaces and it is cut (at a UTF-8 boundary, "..."
// appended) to at most `max_bytes` bytes, so the reason after it survives
// the message length limit.
std::string excerpt(std::string_view text, std::size_t max_bytes = 200);

}  // namespace crm
