#include "factor_io.hpp"

#include <algorithm>

#include "dnmf/core/error.hpp"
#include "dnmf/io/sparse.hpp"

namespace dnmf::app {

void check_factor_shape(const char* name, const std::string& where, std::int64_t rows,
                        std::int64_t cols, std::int64_t want_rows, std::int64_t want_cols) {
  auto dim_error = [&](const char* which, std::int64_t want, std::int64_t got) {
    return InputError("Array with wrong " + std::string(which) +
                      " dimension passed to NMF (input " + name + "). Expected " +
                      std::to_string(want) + ", but got " + std::to_string(got) + " (" + where +
                      ")");
  };
  if (rows != want_rows) throw dim_error("first", want_rows, rows);
  if (cols != want_cols) throw dim_error("second", want_cols, cols);
}

template <typename T>
void read_h_as_ht(const mpi::Comm& comm, const io::ObjectPath& path, DistFactor<T>& ht) {
  in_item_order(ht, [&](DistFactor<T>& f) {  // files hold rows in item order
    Matrix<T> block;
    io::read_block(comm, path, Range{0, f.k()}, f.owned(), block);
    Matrix<T>& fl = f.local();
    for (std::int64_t c = 0; c < block.rows(); ++c)
      for (std::int64_t j = 0; j < block.cols(); ++j) fl(j, c) = block(c, j);
  });
}

template <typename T>
void read_w(const mpi::Comm& comm, const io::ObjectPath& path, DistFactor<T>& w) {
  in_item_order(w, [&](DistFactor<T>& f) {
    io::read_block(comm, path, f.owned(), Range{0, f.k()}, f.local());
  });
}

template <typename T>
void read_x(const io::DatasetInfo& info, DistMatrix<T>& x, PhaseTimers& timers) {
  auto t = timers.scope(Phase::io);
  if (info.sparse) {
    x = io::read_sparse<T>(info, x.grid());
  } else {
    io::read_block(x.grid().all(), info.path, x.row_range(), x.col_range(), x.local());
  }
}

template <typename T>
std::int64_t factor_bytes(const DistFactor<T>& w, const DistFactor<T>* ht) {
  const std::int64_t entries = (w.global_rows() + (ht ? ht->global_rows() : 0)) * w.k();
  return entries * static_cast<std::int64_t>(sizeof(T));
}

template <typename T>
void write_w_and_h(io::AtomicFileWriter& file, const DistFactor<T>& w, const DistFactor<T>* ht) {
  const std::int64_t k = w.k();
  // Files hold rows in item order.
  in_item_order(w, [&](const DistFactor<T>& f) {
    file.write_block("W", f.global_rows(), k, f.owned(), Range{0, k}, f.local().data());
  });
  if (ht) {
    in_item_order(*ht, [&](const DistFactor<T>& f) {
      Matrix<T> h_block(k, f.owned().size);  // my columns of H, from my rows of Ht
      for (std::int64_t j = 0; j < h_block.cols(); ++j)
        for (std::int64_t c = 0; c < k; ++c) h_block(c, j) = f.local()(j, c);
      file.write_block("H", k, f.global_rows(), Range{0, k}, f.owned(), h_block.data());
    });
  }
}

template <typename T>
void write_factors(const mpi::Comm& comm, const std::string& output, const DistFactor<T>& w,
                   const DistFactor<T>* ht, const std::vector<std::string>& feature_names,
                   const std::vector<io::Attribute>& attrs) {
  const std::int64_t k = w.k();
  std::int64_t names_bytes = 0;
  for (const std::string& s : feature_names) names_bytes += static_cast<std::int64_t>(s.size());
  io::AtomicFileWriter file(comm, output, false, factor_bytes(w, ht) + names_bytes);
  write_w_and_h(file, w, ht);
  if (!feature_names.empty()) file.write_strings("feature_names", feature_names);
  std::vector<std::string> names;  // sklearn's get_feature_names_out(): nmf0, nmf1, ...
  for (std::int64_t c = 0; c < k; ++c) names.push_back("nmf" + std::to_string(c));
  file.write_strings("component_names", names);
  file.write_attributes(attrs);
  file.commit();
}

template <typename T>
Matrix<T> gather_whole(const DistFactor<T>& f) {
  Matrix<T> whole(f.global_rows(), f.k());
  in_item_order(f, [&](const DistFactor<T>& g) {
    const mpi::Comm& all = g.grid().all();
    const std::size_t ranks = static_cast<std::size_t>(all.size());
    std::vector<std::int64_t> ones(ranks, 1), starts(ranks), sizes(ranks);
    const Range mine = g.owned();
    all.allgatherv(&mine.begin, starts.data(), ones);
    all.allgatherv(&mine.size, sizes.data(), ones);
    std::vector<std::int64_t> counts(ranks);
    for (std::size_t r = 0; r < ranks; ++r) counts[r] = sizes[r] * g.k();
    Matrix<T> packed(g.global_rows(), g.k());
    all.allgatherv(g.local().data(), packed.data(), counts);
    std::int64_t at = 0;  // rank r's rows follow rank r - 1's in `packed`
    for (std::size_t r = 0; r < ranks; ++r) {
      std::copy(packed.row(at), packed.row(at) + sizes[r] * g.k(), whole.row(starts[r]));
      at += sizes[r];
    }
  });
  return whole;
}

#define DNMF_INSTANTIATE_APP(T)                                                              \
  template void read_h_as_ht<T>(const mpi::Comm&, const io::ObjectPath&, DistFactor<T>&);    \
  template void read_x<T>(const io::DatasetInfo&, DistMatrix<T>&, PhaseTimers&);             \
  template void read_w<T>(const mpi::Comm&, const io::ObjectPath&, DistFactor<T>&);          \
  template Matrix<T> gather_whole<T>(const DistFactor<T>&);                                  \
  template std::int64_t factor_bytes<T>(const DistFactor<T>&, const DistFactor<T>*);         \
  template void write_w_and_h<T>(io::AtomicFileWriter&, const DistFactor<T>&,                \
                                 const DistFactor<T>*);                                      \
  template void write_factors<T>(const mpi::Comm&, const std::string&, const DistFactor<T>&, \
                                 const DistFactor<T>*, const std::vector<std::string>&,      \
                                 const std::vector<io::Attribute>&);
DNMF_INSTANTIATE_APP(double)
DNMF_INSTANTIATE_APP(float)
#undef DNMF_INSTANTIATE_APP

}  // namespace dnmf::app
