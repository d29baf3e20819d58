// The NDIS and video resource queries: NdisMQueryAdapterResources and
// VideoPortGetAccessRanges return what AssignResource assigned (docs/semantics.md,
// "Resource queries"). Every test name starts with "Resources".
#include "fixture.hpp"

namespace ddimap::test {
namespace {

class ResourcesTest : public MachineTest {};

TEST_F(ResourcesTest, ResourcesNdisQuerySizesThenFills) {
  ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, nic), ControlStatus::Ok);
  NdisStatus status = 0;
  u32 size = 0;
  EXPECT_EQ(m.NdisMQueryAdapterResources(&status, nic, nullptr, &size), kNdisStatusResources);
  EXPECT_EQ(status, kNdisStatusResources);
  EXPECT_EQ(size, kCmPartialResourceListHeader + kCmPartialResourceDescriptorSize);
  u32 count = 99;
  size = 27;
  EXPECT_EQ(m.NdisMQueryAdapterResources(&status, nic, &count, &size), kNdisStatusResources);
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(size, 28u);
  size = 100;
  EXPECT_EQ(m.NdisMQueryAdapterResources(&status, nic, &count, &size), kNdisStatusSuccess);
  EXPECT_EQ(status, kNdisStatusSuccess);
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(size, 28u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(ResourcesTest, ResourcesNdisQueryOutsideInitializeIsContext) {
  NdisStatus status = 0;
  u32 size = 100, count = 0;
  EXPECT_EQ(m.NdisMQueryAdapterResources(&status, nic, &count, &size), kNdisStatusFailure);
  EXPECT_EQ(Count(RuleId::NdisIoQueryContext), 1u);
  ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, nic2), ControlStatus::Ok);
  EXPECT_EQ(m.NdisMQueryAdapterResources(&status, nic, &count, &size), kNdisStatusFailure);
  EXPECT_EQ(m.NdisMQueryAdapterResources(&status, wdm, &count, &size), kNdisStatusFailure);
  EXPECT_EQ(Count(RuleId::NdisIoQueryContext), 3u);
  EXPECT_EQ(size, 100u);  // unchanged by a refused call
  EXPECT_EQ(status, kNdisStatusFailure);
  EXPECT_EQ(Total(), 3u) << Dump();
}

TEST_F(ResourcesTest, ResourcesNdisQueryIrqlAndNullPointers) {
  ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, nic), ControlStatus::Ok);
  NdisStatus status = 0;
  u32 size = 100, count = 0;
  EXPECT_EQ(m.NdisMQueryAdapterResources(nullptr, nic, &count, &size), kNdisStatusFailure);
  EXPECT_EQ(m.NdisMQueryAdapterResources(&status, nic, &count, nullptr), kNdisStatusFailure);
  EXPECT_EQ(m.NdisMQueryAdapterResources(&status, nic, nullptr, &size), kNdisStatusFailure);
  EXPECT_EQ(Count(RuleId::CommonNullPointer), 3u) << Dump();
  ASSERT_EQ(m.SetIrql(kApcLevel), ControlStatus::Ok);
  EXPECT_EQ(m.NdisMQueryAdapterResources(&status, nic, &count, &size), kNdisStatusFailure);
  EXPECT_EQ(Count(RuleId::NdisIoQueryIrql), 1u) << Dump();
  EXPECT_EQ(Total(), 4u) << Dump();
}

TEST_F(ResourcesTest, ResourcesNdisAdapterWithoutResourcesFails) {
  const u64 bare = m.CreateNdisAdapter();
  ASSERT_EQ(m.EnterCallback(Callback::MiniportInitializeEx, bare), ControlStatus::Ok);
  NdisStatus status = 0;
  u32 size = 0;
  EXPECT_EQ(m.NdisMQueryAdapterResources(&status, bare, nullptr, &size), kNdisStatusFailure);
  EXPECT_EQ(size, 0u);
  EXPECT_EQ(Total(), 0u) << Dump();
}

TEST_F(ResourcesTest, ResourcesVideoAccessRangesInOrder) {
  u32 filled = 0, slot = 77;
  EXPECT_EQ(m.VideoPortGetAccessRanges(video, 0, false, 2, &filled, false, false, &slot), kNoError);
  EXPECT_EQ(filled, 2u);
  EXPECT_EQ(slot, 0u);
  EXPECT_EQ(m.VideoPortGetAccessRanges(video, 0, false, 1, &filled, false, false, &slot), kErrorMoreData);
  EXPECT_EQ(filled, 0u);
  EXPECT_EQ(m.VideoPortGetAccessRanges(video, 1, true, 2, &filled, false, false, nullptr), kErrorInvalidParameter);
  EXPECT_EQ(m.VideoPortGetAccessRanges(video, 0, true, 2, &filled, true, true, nullptr), kNoError);
  EXPECT_EQ(Total(), 0u) << Dump();
  EXPECT_EQ(m.VideoPortGetAccessRanges(video, 0, false, 2, nullptr, false, false, nullptr), kErrorInvalidParameter);
  EXPECT_EQ(Count(RuleId::CommonNullPointer), 1u);
  EXPECT_EQ(m.VideoPortGetAccessRanges(wdm, 0, false, 2, &filled, false, false, nullptr), kErrorInvalidParameter);
  EXPECT_EQ(Count(RuleId::VideoBadDevice), 1u);
  ASSERT_EQ(m.SetIrql(kApcLevel), ControlStatus::Ok);
  EXPECT_EQ(m.VideoPortGetAccessRanges(video, 0, false, 2, &filled, false, false, nullptr), kErrorInvalidParameter);
  EXPECT_EQ(Count(RuleId::VideoAccessRangesIrql), 1u);
  EXPECT_EQ(Total(), 3u) << Dump();
}

}  // namespace
}  // namespace ddimap::test
