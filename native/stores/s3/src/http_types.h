// The shared HTTP plumbing (native/stores/curl), under the names the S3 client's code uses.
#pragma once

#include "stratacache/curl/curl_loop.h"
#include "stratacache/curl/http_types.h"
#include "stratacache/curl/loop_thread.h"

namespace stratacache::s3 {

using curl::BodySlice;
using curl::CurlLoop;
using curl::CurlLoopOptions;
using curl::HttpHeader;
using curl::HttpHeaders;
using curl::HttpRequest;
using curl::HttpResponse;
using curl::LoopThread;
using curl::QueryParams;
using curl::TransportError;

}  // namespace stratacache::s3
