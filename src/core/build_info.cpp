#include "core/build_info.hpp"

#include <curl/curl.h>
#include <expat.h>
#include <simdjson.h>
#include <utf8proc.h>
#include <zip.h>

#include "core/core_only.hpp"

#ifndef CRM_BUILD_TYPE
#define CRM_BUILD_TYPE "release"
#endif

namespace crm {

std::vector<std::pair<std::string, std::string>> build_info() {
    std::vector<std::pair<std::string, std::string>> info;
    info.emplace_back("version", kVersion);
    info.emplace_back("build_type", CRM_BUILD_TYPE);
#if defined(__clang__)
    info.emplace_back("compiler", std::string("clang ") + __clang_version__);
#elif defined(__GNUC__)
    info.emplace_back("compiler", std::string("g++ ") + __VERSION__);
#endif
    info.emplace_back("cplusplus", std::to_string(__cplusplus));
    info.emplace_back("simdjson", std::to_string(simdjson::SIMDJSON_VERSION_MAJOR) + "." + std::to_string(simdjson::SIMDJSON_VERSION_MINOR) + "." + std::to_string(simdjson::SIMDJSON_VERSION_REVISION));
    info.emplace_back("simdjson_implementation", simdjson::get_active_implementation()->name());
    info.emplace_back("libcurl", curl_version_info(CURLVERSION_NOW)->version);
    info.emplace_back("utf8proc", utf8proc_version());
    info.emplace_back("unicode", utf8proc_unicode_version());
    info.emplace_back("libzip", zip_libzip_version());
    info.emplace_back("expat", XML_ExpatVersion());
    return info;
}

}  // namespace crm
