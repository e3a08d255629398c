// The addon's side of a workspace's S3 mount (ts/workspace/s3-resource.ts): one S3 client per mount, and one
// request per call, so that JavaScript pages listings itself and decides when to stop.
#pragma once

#include <napi.h>

namespace stratacache::node {

// s3MountOpen, s3MountList, s3MountHead, s3MountGet, s3MountClose, s3MountSignal, s3MountAbort.
void DefineS3MountFunctions(Napi::Env env, Napi::Object exports);

}  // namespace stratacache::node
