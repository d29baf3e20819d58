// NDIS files: NdisOpenFile, NdisMapFile, NdisUnmapFile and NdisCloseFile (sem "NDIS_FILE").
#include <algorithm>

#include "model_internal.hpp"
#include "oracle.hpp"

namespace ddimap::oracle {

using detail::ClearOut;
using detail::FindBy;

namespace {
u64 NameHash(std::string_view name) {
  u64 h = 1469598103934665603ull;
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  return h;
}
}  // namespace

Model::OpenFile* Model::OpenFileOrReport(u64 FileHandle) {
  OpenFile* f = FindBy(files_, &OpenFile::handle, FileHandle);
  if (f && f->open) return f;
  // sem handles: any serial below the next one that is not live is "already closed"
  if (HandleIs(FileHandle, HandleKind::File) && HandleSerial(FileHandle) < next_file_) {
    // sem quarantine: a closed handle still remembered names its open and its close
    Evidence e{.rule = RuleId::NdisFileClosedHandle};
    if (f && std::ranges::find(buried_, FileHandle) != buried_.end()) {
      e.has_created = e.has_released = true;
      e.created = f->opened_seq;
      e.released = f->closed_seq;
    }
    Report(e);
  } else {
    Report(RuleId::NdisFileBadHandle);
  }
  return nullptr;
}

void Model::ReportFileLeak(const OpenFile& f) {
  // sem "Report format": a leaked file names the NdisOpenFile call that opened it
  Report(Evidence{.rule = RuleId::NdisFileLeak, .has_created = true, .created = f.opened_seq});
}

void Model::Bury(u64 handle) {
  // sem quarantine: one FIFO of the last quarantine_capacity closed file handles and exited
  // processes
  buried_.push_back(handle);
  while (buried_.size() > options_.quarantine_capacity) buried_.erase(buried_.begin());
}

void Model::CloseFileNow(OpenFile& f) {
  if (f.mapping_id) {
    Release(f.mapping_id);
    f.mapping_id = 0;
  }
  f.open = false;
  f.closed_seq = CallNumber();
  f.written.clear();
  Bury(f.handle);
}

NdisStatus Model::NdisOpenFile(NdisStatus* Status, u64* FileHandle, u32* FileLength,
                               std::optional<std::string_view> FileName,
                               u64 HighestAcceptableAddress) {
  auto fail = [&](NdisStatus s) {
    if (Status) *Status = s;
    ClearOut(FileHandle, FileLength);
    return s;
  };
  auto refuse = [&](RuleId r) {
    Report(r);
    return fail(kNdisStatusFailure);
  };
  if (!Begin()) return fail(kNdisStatusFailure);
  if (!Status || !FileHandle || !FileLength) return refuse(RuleId::CommonNullPointer);
  if (irql_ != kPassiveLevel) return refuse(RuleId::NdisFileIrql);
  if (callback_ != Callback::MiniportInitializeEx) return refuse(RuleId::NdisFileContext);
  if (!FileName) return refuse(RuleId::CommonNullPointer);
  const TableFile* t = FindBy(file_table_, &TableFile::name, *FileName);
  if (!t) return fail(kNdisStatusFileNotFound);
  std::size_t open_count = 0;
  for (const auto& f : files_)
    if (f.open) ++open_count;
  if (open_count >= options_.max_open_files || HighestAcceptableAddress < 0xFFFFF)
    return fail(kNdisStatusResources);
  if (!t->readable) return fail(kNdisStatusErrorReadingFile);
  OpenFile f{};
  f.handle = MakeHandle(HandleKind::File, next_file_++);
  f.adapter = callback_object_;
  f.name_hash = NameHash(t->name);
  f.length = t->length;
  f.open = true;
  f.opened_seq = seq_;
  files_.push_back(f);
  *Status = kNdisStatusSuccess;
  *FileHandle = f.handle;
  *FileLength = f.length;
  return kNdisStatusSuccess;
}

NdisStatus Model::NdisMapFile(NdisStatus* Status, u64* MappedBuffer, u64 FileHandle) {
  auto fail = [&](NdisStatus s) {
    if (Status) *Status = s;
    ClearOut(MappedBuffer);
    return s;
  };
  auto refuse = [&](RuleId r) {
    Report(r);
    return fail(kNdisStatusFailure);
  };
  if (!Begin()) return fail(kNdisStatusFailure);
  if (!Status || !MappedBuffer) return refuse(RuleId::CommonNullPointer);
  if (irql_ > kDispatchLevel) return refuse(RuleId::NdisFileIrql);
  OpenFile* f = OpenFileOrReport(FileHandle);
  if (!f) return fail(kNdisStatusFailure);
  if (callback_ != Callback::MiniportInitializeEx) return refuse(RuleId::NdisFileContext);
  if (f->mapping_id) return fail(kNdisStatusAlreadyMapped);
  const auto m = Place({.length = f->length,
                        .family = Family::NdisFile,
                        .owner = f->handle,
                        .region = Region::System,
                        .space = PhysSpace::Memory,
                        .phys = 0,
                        .cache = kMmCached,  // sem "Mapping records": MmCached, never checked
                        .readable = true,
                        .writable = true,
                        .is_file = true});
  if (!m) return fail(kNdisStatusResources);  // reading: not in the doc
  f->mapping_id = AddMapping(*m);
  *Status = kNdisStatusSuccess;
  *MappedBuffer = m->base;
  return kNdisStatusSuccess;
}

void Model::NdisUnmapFile(u64 FileHandle) {
  if (!Begin()) return;
  if (irql_ != kPassiveLevel) return Report(RuleId::NdisFileIrql);
  OpenFile* f = OpenFileOrReport(FileHandle);
  if (!f) return;
  if (!f->mapping_id) return Report(RuleId::NdisFileUnmapNotMapped);
  Release(f->mapping_id);
  f->mapping_id = 0;
}

void Model::NdisCloseFile(u64 FileHandle) {
  if (!Begin()) return;
  if (irql_ != kPassiveLevel) return Report(RuleId::NdisFileIrql);
  OpenFile* f = OpenFileOrReport(FileHandle);
  if (!f) return;
  // sem "Report format": names the file's buffer mapping
  if (f->mapping_id) Report(RuleId::NdisFileCloseWhileMapped, FindBy(live_, &Mapping::id, f->mapping_id));
  CloseFileNow(*f);
}

}  // namespace ddimap::oracle
