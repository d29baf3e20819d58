// NDIS files: NdisOpenFile / NdisMapFile / NdisUnmapFile / NdisCloseFile (docs/contracts.md).
#include <algorithm>

#include "families/common.hpp"
#include "families/families.hpp"
#include "mutants/mutant.hpp"

namespace ddimap {
namespace {

// NDIS cannot place a file buffer below 1 MiB (the model's choice for what a
// too-low HighestAcceptableAddress means).
constexpr u64 kLowestBufferCeiling = 0xFFFFF;

// A fixed function of the name and offset, so files need no stored contents.
u64 NameHash(std::string_view name) {
  u64 h = 1469598103934665603ull;  // FNV-1a
  for (char c : name) h = (h ^ static_cast<u8>(c)) * 1099511628211ull;
  return h;
}
u8 FileByte(u64 name_hash, u64 offset) {
  return static_cast<u8>((name_hash >> 8) + offset * 131 + (offset >> 8));
}


bool InInitialize(const Machine::State& s) { return s.cb == Callback::MiniportInitializeEx; }

// BAD_HANDLE or CLOSED_HANDLE; returns the open file or nullptr.
OpenFile* CheckHandle(Machine::State& s, u64 h) {
  if (OpenFile* f = s.FindFile(h)) return f;
  if (HandleIs(h, HandleKind::File) && HandleSerial(h) < s.next_file && !DDIMAP_MUTANT(file_stale_handle_as_bad)) {
    const Tombstone* t = s.FindTombstone(h);
    s.ViolationWithRecords(RuleId::NdisFileClosedHandle, [&] { return "FileHandle " + Hex(h) + " was already closed"; },
                           t ? &t->created : nullptr, t ? &t->released : nullptr);
  } else {
    s.Violation(RuleId::NdisFileBadHandle, [&] {
      return "FileHandle " + Hex(h) + " was never returned by NdisOpenFile";
    });
  }
  return nullptr;
}

void CloseFile(Machine::State& s, u64 handle) {
  OpenFile* f = s.FindFile(handle);
  if (f->mapped_va && !DDIMAP_MUTANT(file_close_while_mapped_not_unmapped)) s.ReleaseMapping(f->mapped_va);
  s.Bury(handle, f->opened);
  s.files.erase(HandleSerial(handle));
}

}  // namespace

std::shared_ptr<const std::vector<u8>> families::FileContent(std::string_view name, u32 length) {
  auto bytes = std::make_shared<std::vector<u8>>(length);
  u64 h = NameHash(name);
  for (u64 i = 0; i < length; ++i) (*bytes)[i] = FileByte(h, i);
  return bytes;
}

NdisStatus Machine::NdisOpenFile(NdisStatus* Status, u64* FileHandle, u32* FileLength,
                                 std::optional<std::string_view> FileName, u64 HighestAcceptableAddress) {
  State& s = *s_;
  u64 name_id = FileName ? s.Intern(*FileName) : 0;
  u8 nulls = (Status ? 0 : 1) | (FileHandle ? 0 : 2) | (FileLength ? 0 : 4) | (FileName ? 0 : 8);
  auto finish = [&](NdisStatus st) {
    if (Status) *Status = st;
    if (st != kNdisStatusSuccess) {
      if (FileHandle) *FileHandle = 0;
      if (FileLength) *FileLength = 0;
    }
    return st;
  };
  if (!s.Begin(CallId::NdisOpenFile, {0, 0, 0, name_id, HighestAcceptableAddress}, nulls))
    return finish(kNdisStatusFailure);
  if (!Status || !FileHandle || !FileLength) {
    s.Violation(RuleId::CommonNullPointer, [&] {
      return std::string(!Status ? "Status" : !FileHandle ? "FileHandle" : "FileLength") + " is NULL";
    });
    return finish(kNdisStatusFailure);
  }
  if (!families::CheckIrql(s, CallId::NdisOpenFile)) return finish(kNdisStatusFailure);
  if (!InInitialize(s)) {
    s.Violation(RuleId::NdisFileContext, [&] {
      return "NdisOpenFile called in " + std::string(CallbackName(s.cb)) + ", not in MiniportInitializeEx";
    });
    return finish(kNdisStatusFailure);
  }
  if (!FileName) {
    s.Violation(RuleId::CommonNullPointer, [&] { return "FileName is NULL"; });
    return finish(kNdisStatusFailure);
  }
  std::size_t entry = s.file_table.size();
  for (std::size_t i = 0; i < s.file_table.size(); ++i)
    if (s.file_table[i].name == *FileName) entry = i;
  if (entry == s.file_table.size()) return finish(kNdisStatusFileNotFound);
  if (s.files.size() >= s.opt.max_open_files + (DDIMAP_MUTANT(file_open_limit_off_by_one) ? 1 : 0) ||
      HighestAcceptableAddress < kLowestBufferCeiling || families::InjectFault(s))
    return finish(kNdisStatusResources);
  const FileEntry& fe = s.file_table[entry];
  if (!fe.readable) return finish(kNdisStatusErrorReadingFile);
  u64 serial = s.next_file++;
  s.files.emplace(serial, OpenFile{s.cb_object, entry, fe.content, {}, 0, false, s.cur});
  *FileHandle = MakeHandle(HandleKind::File, serial);
  *FileLength = fe.length;
  return finish(kNdisStatusSuccess);
}

NdisStatus Machine::NdisMapFile(NdisStatus* Status, u64* MappedBuffer, u64 FileHandle) {
  State& s = *s_;
  u8 nulls = (Status ? 0 : 1) | (MappedBuffer ? 0 : 2);
  auto finish = [&](NdisStatus st) {
    if (Status) *Status = st;
    if (st != kNdisStatusSuccess && MappedBuffer) *MappedBuffer = 0;
    return st;
  };
  if (!s.Begin(CallId::NdisMapFile, {0, 0, FileHandle}, nulls)) return finish(kNdisStatusFailure);
  if (!Status || !MappedBuffer) {
    s.Violation(RuleId::CommonNullPointer, [&] {
      return std::string(!Status ? "Status" : "MappedBuffer") + " is NULL";
    });
    return finish(kNdisStatusFailure);
  }
  if (!families::CheckIrql(s, CallId::NdisMapFile)) return finish(kNdisStatusFailure);
  OpenFile* f = CheckHandle(s, FileHandle);
  if (!f) return finish(kNdisStatusFailure);
  if (!InInitialize(s)) {
    s.Violation(RuleId::NdisFileContext, [&] {
      return "NdisMapFile called in " + std::string(CallbackName(s.cb)) + ", not in MiniportInitializeEx";
    });
    return finish(kNdisStatusFailure);
  }
  if (f->mapped_va != 0 && !DDIMAP_MUTANT(file_already_mapped_not_returned)) return finish(kNdisStatusAlreadyMapped);
  u64 len = f->size();
  u64 extent = PageCeil(len == 0 ? 1 : len);
  auto va = families::InjectFault(s) ? std::optional<u64>() : s.Reserve(Region::System, extent);
  if (!va) return finish(kNdisStatusResources);
  s.AddMapping(MappingView{*va, len, len, *va, extent, Family::NdisFile, FileHandle, 0, Region::System,
                           PhysSpace::Memory, 0, kMmCached, true, true, false, 0})
      .file = HandleSerial(FileHandle);
  f->mapped_va = *va;
  *MappedBuffer = *va;
  return finish(kNdisStatusSuccess);
}

void Machine::NdisUnmapFile(u64 FileHandle) {
  State& s = *s_;
  if (!s.Begin(CallId::NdisUnmapFile, {FileHandle})) return;
  if (!families::CheckIrql(s, CallId::NdisUnmapFile)) return;
  OpenFile* f = CheckHandle(s, FileHandle);
  if (!f) return;
  if (f->mapped_va == 0) {
    s.Violation(RuleId::NdisFileUnmapNotMapped, [&] {
      return "file " + Hex(FileHandle) + " has no outstanding NdisMapFile mapping";
    });
    return;
  }
  s.ReleaseMapping(f->mapped_va);
  if (!DDIMAP_MUTANT(file_unmap_keeps_buffer)) f->mapped_va = 0;
}

void Machine::NdisCloseFile(u64 FileHandle) {
  State& s = *s_;
  if (!s.Begin(CallId::NdisCloseFile, {FileHandle})) return;
  if (!families::CheckIrql(s, CallId::NdisCloseFile)) return;
  OpenFile* f = CheckHandle(s, FileHandle);
  if (!f) return;
  if (f->mapped_va != 0)
    s.Violation(RuleId::NdisFileCloseWhileMapped, [&] {
      return "file " + Hex(FileHandle) + " is still mapped at " + Hex(f->mapped_va) + "; it is unmapped, then closed";
    }, s.maps.FindLive(f->mapped_va));
  CloseFile(s, FileHandle);
}

void families::NdisFileLeaks(Machine::State& s, u64 adapter, std::string_view when) {
  std::vector<u64> open;
  for (const auto& [serial, f] : s.files)
    if ((adapter == 0 || f.adapter == adapter) && !f.leak_reported) open.push_back(serial);
  std::sort(open.begin(), open.end());  // unordered_map order is not deterministic across builds
  for (u64 serial : open) {
    OpenFile& f = s.files.at(serial);
    f.leak_reported = !DDIMAP_MUTANT(file_leak_reported_twice);
    s.ViolationWithRecords(RuleId::NdisFileLeak, [&] {
      return "file " + Hex(MakeHandle(HandleKind::File, serial)) + " (\"" + s.file_table[f.entry].name +
             "\") is still open when " + std::string(when);
    }, &f.opened, nullptr);
  }
}

void families::NdisFileCloseAll(Machine::State& s) {
  std::vector<u64> open;
  for (const auto& [serial, f] : s.files) open.push_back(serial);
  std::sort(open.begin(), open.end());
  for (u64 serial : open) CloseFile(s, MakeHandle(HandleKind::File, serial));
}

}  // namespace ddimap
