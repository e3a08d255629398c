// Where settings come from: options, then the environment, then the shared AWS files of the chosen profile.
#include "stratacache/s3/s3_settings.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "ini_file.h"
#include "stratacache/s3/s3_store.h"

namespace stratacache::s3 {
namespace {

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = std::filesystem::temp_directory_path() /
            ("strata-s3-settings-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(home_ / ".aws");
    env_["HOME"] = home_.string();
  }
  void TearDown() override { std::filesystem::remove_all(home_); }

  void Write(const std::string& name, const std::string& text) { std::ofstream(home_ / ".aws" / name) << text; }

  S3Result<S3Settings> Resolve(const S3ClientOptions& options = {}) {
    return ResolveSettings(options, [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    });
  }

  std::filesystem::path home_;
  std::map<std::string, std::string> env_;
};

TEST_F(SettingsTest, OptionsWinOverEverything) {
  env_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  env_["AWS_REGION"] = "eu-west-1";
  env_["AWS_ENDPOINT_URL"] = "http://env:1";
  S3ClientOptions options;
  options.credentials = Credentials{"OPTKEY", "optsecret", "opttoken"};
  options.region = "ap-south-1";
  options.endpoint = "http://opt:2";
  options.force_path_style = true;
  S3Result<S3Settings> settings = Resolve(options);
  ASSERT_TRUE(settings.ok()) << settings.error.message;
  EXPECT_EQ(settings.value.credentials.access_key_id, "OPTKEY");
  EXPECT_EQ(settings.value.credentials.session_token, "opttoken");
  EXPECT_EQ(settings.value.region, "ap-south-1");
  EXPECT_EQ(settings.value.endpoint, "http://opt:2");
  EXPECT_TRUE(settings.value.force_path_style);
}

TEST_F(SettingsTest, EnvironmentWinsOverTheSharedFiles) {
  Write("credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n");
  Write("config", "[default]\nregion = us-west-2\n");
  env_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  env_["AWS_SESSION_TOKEN"] = "envtoken";
  env_["AWS_DEFAULT_REGION"] = "eu-central-1";
  env_["AWS_ENDPOINT_URL"] = "http://generic:1";
  env_["AWS_ENDPOINT_URL_S3"] = "http://s3-specific:2";
  S3Result<S3Settings> settings = Resolve();
  ASSERT_TRUE(settings.ok()) << settings.error.message;
  EXPECT_EQ(settings.value.credentials.access_key_id, "ENVKEY");
  EXPECT_EQ(settings.value.credentials.secret_access_key, "envsecret");
  EXPECT_EQ(settings.value.credentials.session_token, "envtoken");
  EXPECT_EQ(settings.value.region, "eu-central-1");
  EXPECT_EQ(settings.value.endpoint, "http://s3-specific:2");

  env_["AWS_REGION"] = "eu-north-1";
  EXPECT_EQ(Resolve().value.region, "eu-north-1") << "AWS_REGION comes before AWS_DEFAULT_REGION";
}

TEST_F(SettingsTest, SharedFilesOfTheNamedProfile) {
  Write("credentials",
        "# comment\n[default]\naws_access_key_id = DEFKEY\naws_secret_access_key = defsecret\n\n"
        "[work]\naws_access_key_id=WORKKEY\naws_secret_access_key=worksecret\naws_session_token = worktoken\n");
  Write("config",
        "[default]\nregion = us-west-2\n[profile work]\nregion = sa-east-1\n"
        "endpoint_url = http://work:9000\ns3 =\n  addressing_style = path\n");
  S3Result<S3Settings> settings = Resolve();
  ASSERT_TRUE(settings.ok()) << settings.error.message;
  EXPECT_EQ(settings.value.credentials.access_key_id, "DEFKEY");
  EXPECT_EQ(settings.value.region, "us-west-2");
  EXPECT_EQ(settings.value.endpoint, "https://s3.us-west-2.amazonaws.com");

  env_["AWS_PROFILE"] = "work";
  settings = Resolve();
  ASSERT_TRUE(settings.ok()) << settings.error.message;
  EXPECT_EQ(settings.value.credentials.access_key_id, "WORKKEY");
  EXPECT_EQ(settings.value.credentials.session_token, "worktoken");
  EXPECT_EQ(settings.value.region, "sa-east-1");
  EXPECT_EQ(settings.value.endpoint, "http://work:9000");

  S3ClientOptions options;
  options.profile = "default";
  EXPECT_EQ(Resolve(options).value.credentials.access_key_id, "DEFKEY") << "the option beats AWS_PROFILE";
}

TEST_F(SettingsTest, FileLocationsCanBeOverridden) {
  const std::string elsewhere = (home_ / "creds.ini").string();
  std::ofstream(elsewhere) << "[default]\naws_access_key_id = K\naws_secret_access_key = S\n";
  env_["AWS_SHARED_CREDENTIALS_FILE"] = elsewhere;
  EXPECT_EQ(Resolve().value.credentials.access_key_id, "K");
}

TEST_F(SettingsTest, DefaultsWhenNothingButCredentialsIsSet) {
  env_["AWS_ACCESS_KEY_ID"] = "K";
  env_["AWS_SECRET_ACCESS_KEY"] = "S";
  S3Result<S3Settings> settings = Resolve();
  EXPECT_EQ(settings.value.region, "us-east-1");
  EXPECT_EQ(settings.value.endpoint, "https://s3.us-east-1.amazonaws.com");
  EXPECT_FALSE(settings.value.force_path_style);
  env_["AWS_REGION"] = "cn-north-1";
  EXPECT_EQ(Resolve().value.endpoint, "https://s3.cn-north-1.amazonaws.com.cn");
}

TEST_F(SettingsTest, Failures) {
  EXPECT_EQ(Resolve().error.kind, S3ErrorKind::kAuth) << "no credentials anywhere";

  env_["AWS_ACCESS_KEY_ID"] = "K";
  S3Result<S3Settings> half = Resolve();
  EXPECT_EQ(half.error.kind, S3ErrorKind::kInvalidArg);
  EXPECT_NE(half.error.message.find("no secret"), std::string::npos);
  env_.erase("AWS_ACCESS_KEY_ID");

  env_["AWS_PROFILE"] = "missing";
  EXPECT_EQ(Resolve().error.kind, S3ErrorKind::kInvalidArg);
  env_.erase("AWS_PROFILE");

  env_["AWS_ACCESS_KEY_ID"] = "";  // empty counts as unset
  EXPECT_EQ(Resolve().error.kind, S3ErrorKind::kAuth);

  S3ClientOptions options;
  options.credentials = Credentials{"K", "", ""};
  EXPECT_EQ(Resolve(options).error.kind, S3ErrorKind::kInvalidArg);
}

// The flattened settings of the s3() tier and of workspace mounts: what is absent stays for ResolveSettings.
TEST(ClientOptionsFrom, ReadsTheConnectionSettingsOnly) {
  S3ClientOptions all = ClientOptionsFrom({{"bucket", "b"},
                                           {"region", "eu-west-1"},
                                           {"endpoint", "http://127.0.0.1:9000"},
                                           {"forcePathStyle", "true"},
                                           {"profile", "work"},
                                           {"credentials.accessKeyId", "K"},
                                           {"credentials.secretAccessKey", "S"},
                                           {"credentials.sessionToken", "T"}});
  EXPECT_EQ(all.region, "eu-west-1");
  EXPECT_EQ(all.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(all.force_path_style, std::optional<bool>(true));
  EXPECT_EQ(all.profile, "work");
  ASSERT_TRUE(all.credentials.has_value());
  EXPECT_EQ(all.credentials->access_key_id, "K");
  EXPECT_EQ(all.credentials->secret_access_key, "S");
  EXPECT_EQ(all.credentials->session_token, "T");

  S3ClientOptions none = ClientOptionsFrom({{"bucket", "b"}, {"forcePathStyle", "false"}});
  EXPECT_TRUE(none.region.empty());
  EXPECT_TRUE(none.endpoint.empty());
  EXPECT_EQ(none.force_path_style, std::optional<bool>(false));
  EXPECT_FALSE(none.credentials.has_value());
  EXPECT_FALSE(ClientOptionsFrom({}).force_path_style.has_value());
}

TEST(ParseIni, SectionsKeysCommentsAndNestedBlocks) {
  const IniFile file =
      ParseIni("top = ignored\n[a]\nk = v = w\r\n; c\n# c\n  nested = skipped\n[ b ]\nx=1\n[broken\ny=2\n");
  EXPECT_EQ(file.at("a").at("k"), "v = w");
  EXPECT_EQ(file.at("a").count("nested"), 0u);
  EXPECT_EQ(file.at("b").at("x"), "1");
  EXPECT_EQ(file.size(), 2u);
}

}  // namespace
}  // namespace stratacache::s3
