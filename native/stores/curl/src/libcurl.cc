#include "stratacache/curl/libcurl.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <string>

#include "libcurl_api.h"

namespace stratacache::curl {
namespace {

constexpr const char* kLibrary = "libcurl.so.4";
constexpr const char* kDebianPackage = "libcurl4";

LibcurlApi api;

// Fills `api` from the library, or says what is missing.
Status Load() {
  // RTLD_LOCAL: the library's symbols stay out of the process's global scope, where they could meet another
  // copy of libcurl that some other addon linked.
  void* library = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    return Status(StatusCode::kNoLibrary,
                  std::string(kLibrary) + " not found: apt-get install " + kDebianPackage +
                      " (the s3() and http() tiers need it)",
                  false);
  }
  std::string missing;
  auto find = [&](auto& function, const char* name) {
    function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(dlsym(library, name));
    if (function == nullptr && missing.empty()) missing = name;
  };
  find(api.global_init, "curl_global_init");
  find(api.easy_init, "curl_easy_init");
  find(api.easy_cleanup, "curl_easy_cleanup");
  find(api.easy_reset, "curl_easy_reset");
  find(api.easy_setopt, "curl_easy_setopt");
  find(api.easy_getinfo, "curl_easy_getinfo");
  find(api.easy_strerror, "curl_easy_strerror");
  find(api.multi_init, "curl_multi_init");
  find(api.multi_cleanup, "curl_multi_cleanup");
  find(api.multi_add_handle, "curl_multi_add_handle");
  find(api.multi_remove_handle, "curl_multi_remove_handle");
  find(api.multi_info_read, "curl_multi_info_read");
  find(api.multi_perform, "curl_multi_perform");
  find(api.multi_poll, "curl_multi_poll");
  find(api.multi_setopt, "curl_multi_setopt");
  find(api.multi_wakeup, "curl_multi_wakeup");
  find(api.slist_append, "curl_slist_append");
  find(api.slist_free_all, "curl_slist_free_all");
  if (!missing.empty()) {
    return Status(StatusCode::kNoLibrary,
                  std::string(kLibrary) + " has no " + missing +
                      " (libcurl 7.68 or later is needed): apt-get install " + kDebianPackage,
                  false);
  }
  // Once, before any other thread uses libcurl: curl_global_init is not thread-safe in older releases.
  api.global_init(CURL_GLOBAL_DEFAULT);
  return Status::Ok();
}

}  // namespace

Status LoadLibcurl() {
  static std::once_flag once;
  static Status outcome;
  std::call_once(once, [] { outcome = Load(); });
  return outcome;
}

const LibcurlApi& Libcurl() {
  // Loads on first use (the C++ tests make loops directly); the addon has checked LoadLibcurl() before making
  // any loop, so this never meets a missing library there.
  if (!LoadLibcurl().ok()) std::abort();
  return api;
}

}  // namespace stratacache::curl
