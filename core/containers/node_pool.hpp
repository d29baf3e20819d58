// A memory resource for the nodes of node-based containers (std::pmr::map,
// std::pmr::set): blocks of the size first asked for come from a free list,
// carved from chunks that live as long as the pool; anything else comes from
// the global heap. Map/unmap churn then costs no malloc once warm. The first
// chunk is a few nodes inside the pool itself, so a small container (a
// region's free blocks) costs its owner no allocation at all: copying a
// machine for every fuzz input wants exactly that.
#pragma once

#include <cstddef>
#include <memory_resource>
#include <new>
#include <vector>

namespace ddimap {

class NodePool final : public std::pmr::memory_resource {
 public:
  NodePool() = default;
  // A copy is a fresh, empty pool: nodes belong to the containers of the pool
  // they came from, and a copied container allocates its own.
  NodePool(const NodePool&) : std::pmr::memory_resource() {}
  NodePool& operator=(const NodePool&) = delete;
  ~NodePool() override {
    for (std::byte* c : chunks_) ::operator delete(c, std::align_val_t{kAlign});
  }

 private:
  struct FreeNode {
    FreeNode* next;
  };
  static constexpr std::size_t kAlign = alignof(std::max_align_t);
  static constexpr std::size_t kPerChunk = 32;  // small: the harnesses build a machine per input

  void* do_allocate(std::size_t bytes, std::size_t align) override {
    if (request_ == 0 && bytes != 0 && align <= kAlign) {
      request_ = bytes;
      std::size_t b = bytes < sizeof(FreeNode) ? sizeof(FreeNode) : bytes;
      stride_ = (b + kAlign - 1) / kAlign * kAlign;
      chunk_ = inline_;
      capacity_ = sizeof inline_ / stride_;
    }
    if (bytes != request_ || align > kAlign) return ::operator new(bytes, std::align_val_t{align});
    if (free_ != nullptr) {
      FreeNode* n = free_;
      free_ = n->next;
      return n;
    }
    if (used_ == capacity_) {
      chunk_ = static_cast<std::byte*>(::operator new(stride_ * kPerChunk, std::align_val_t{kAlign}));
      chunks_.push_back(chunk_);
      used_ = 0;
      capacity_ = kPerChunk;
    }
    return chunk_ + stride_ * used_++;
  }

  void do_deallocate(void* p, std::size_t bytes, std::size_t align) override {
    if (bytes != request_ || align > kAlign) {
      ::operator delete(p, std::align_val_t{align});
      return;
    }
    free_ = ::new (p) FreeNode{free_};
  }

  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override { return this == &o; }

  std::size_t request_ = 0;  // the pooled request size (0: none yet)
  std::size_t stride_ = 0;   // request_ rounded up to kAlign
  FreeNode* free_ = nullptr;
  std::byte* chunk_ = nullptr;
  std::size_t used_ = 0;      // nodes handed out of chunk_
  std::size_t capacity_ = 0;  // nodes chunk_ holds
  std::vector<std::byte*> chunks_;
  alignas(kAlign) std::byte inline_[256];  // the first chunk
};

}  // namespace ddimap
