// A FIFO queue in a power-of-two ring that grows as needed (the quarantine's
// release order). Unlike std::deque, an empty ring owns no memory, so copying
// a machine that never released anything allocates nothing for it.
#pragma once

#include <cstddef>
#include <vector>

namespace ddimap {

template <typename T>
class Ring {
 public:
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  const T& front() const { return buf_[head_]; }
  const T& operator[](std::size_t i) const { return buf_[(head_ + i) & (buf_.size() - 1)]; }
  void push_back(const T& v) {
    if (n_ == buf_.size()) Grow();
    buf_[(head_ + n_) & (buf_.size() - 1)] = v;
    ++n_;
  }
  void pop_front() {
    head_ = (head_ + 1) & (buf_.size() - 1);
    --n_;
  }
  void clear() { head_ = n_ = 0; }

 private:
  void Grow() {
    if (buf_.empty()) {  // keeps the storage an assignment from an empty ring left
      buf_.resize(16);
      head_ = 0;
      return;
    }
    std::vector<T> b(buf_.empty() ? 16 : buf_.size() * 2);
    for (std::size_t i = 0; i < n_; ++i) b[i] = buf_[(head_ + i) & (buf_.size() - 1)];
    buf_.swap(b);
    head_ = 0;
  }
  std::vector<T> buf_;
  std::size_t head_ = 0, n_ = 0;
};

}  // namespace ddimap
