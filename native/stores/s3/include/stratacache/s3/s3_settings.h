// Where to connect and with which credentials, resolved in the order the AWS SDKs use:
//   1. the options given;
//   2. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_DEFAULT_REGION,
//      AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS_PROFILE;
//   3. the shared files (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, AWS_CONFIG_FILE or ~/.aws/config),
//      section of the chosen profile: aws_access_key_id, aws_secret_access_key, aws_session_token, region,
//      endpoint_url.
// Credentials always come whole from one source: a key from the environment is never paired with a secret from
// a file.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "stratacache/s3/s3_client_options.h"
#include "stratacache/s3/s3_error.h"

namespace stratacache::s3 {

inline constexpr char kDefaultRegion[] = "us-east-1";

struct S3Settings {
  std::string region;
  std::string endpoint;  // always set: the given one, or AWS's for the region
  bool force_path_style = false;
  Credentials credentials;
};

// Reads one environment variable; tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnvironment();

// Fails with kInvalidArg for an unknown explicit profile or half-set credentials, and with kAuth when no
// credentials are found anywhere.
S3Result<S3Settings> ResolveSettings(const S3ClientOptions& options, const EnvLookup& env);

}  // namespace stratacache::s3
