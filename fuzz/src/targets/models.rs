//! Model files: the GGUF header reader of the model library. Any bytes
//! give a header or an error; a header read holds no string over
//! `MAX_STRING` and no tensor over `MAX_DIMS` dimensions, and its
//! metadata (when it names an architecture) is read without a panic.

use std::io::Cursor;

use valechat_core::local::library::gguf::{MAX_DIMS, MAX_STRING, Value, read_header};
use valechat_core::local::library::{estimate, metadata};

/// The input is a GGUF file (header only; the weights do not matter).
pub fn gguf(data: &[u8]) {
    let len = data.len() as u64;
    let Ok(header) = read_header(Cursor::new(data), len) else {
        return;
    };
    for (key, value) in &header.metadata {
        assert!(key.len() as u64 <= MAX_STRING * 3, "key over the bound");
        if let Value::String(s) = value {
            // Lossy UTF-8 may grow a string up to 3×.
            assert!(s.len() as u64 <= MAX_STRING * 3, "string over the bound");
        }
    }
    for tensor in &header.tensors {
        assert!(
            tensor.dims.len() <= MAX_DIMS as usize,
            "too many dimensions"
        );
    }
    if let Some(m) = metadata::from_header(&header, len) {
        let _ = estimate(&m, Some(4096)).total_bytes();
        let _ = estimate(&m, None);
    }
}
