//! A bounded reader of GGUF headers: the key–value metadata and the tensor
//! directory, never the weights.
//!
//! The format (llama.cpp's `gguf` docs, versions 2 and 3; version 1 used
//! 32-bit counts and is refused): the magic `GGUF`, a `u32` version, a `u64`
//! tensor count, a `u64` key–value count, then the key–value pairs (a
//! string key, a `u32` value type, the value) and one entry per tensor (a
//! name, a `u32` dimension count, that many `u64` dimensions, a `u32` GGML
//! type, a `u64` offset). All little-endian; strings are a `u64` length then
//! UTF-8 bytes.
//!
//! Every length comes from the file, so nothing is allocated from it
//! unchecked: a count or a length must fit in the bytes left in the file,
//! strings kept are at most [`MAX_STRING`] bytes, arrays are skipped (only
//! their element type and length are kept), a tensor has at most
//! [`MAX_DIMS`] dimensions. A corrupt, truncated or hostile header is an
//! [`GgufError`], never a panic or a huge allocation (the `gguf` fuzz
//! target checks it).

use std::collections::BTreeMap;
use std::io::{self, Read, Seek, SeekFrom};

/// The four bytes every GGUF file starts with.
pub const MAGIC: [u8; 4] = *b"GGUF";
/// Longest string value or key kept, in bytes (1 MiB; chat templates are a
/// few KiB).
pub const MAX_STRING: u64 = 1 << 20;
/// Most dimensions a tensor has (GGML's `GGML_MAX_DIMS`).
pub const MAX_DIMS: u32 = 4;
/// Skips up to this many bytes are read through, longer ones seek.
const SHORT_SKIP: u64 = 64 * 1024;
/// Deepest nesting of arrays accepted (GGUF writers nest at most once).
const MAX_NESTING: u32 = 4;

/// Why a GGUF header could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    /// The file does not start with `GGUF`.
    #[error("not a GGUF file (it starts with {0:02x?}, not “GGUF”)")]
    BadMagic([u8; 4]),
    /// A GGUF version this reader does not know (it reads 2 and 3).
    #[error("GGUF version {0} is not supported (versions 2 and 3 are)")]
    UnsupportedVersion(u32),
    /// The header ends before what it announces.
    #[error("the GGUF header is truncated (it ends while reading {0})")]
    Truncated(&'static str),
    /// A count, length or type in the header cannot be right.
    #[error("the GGUF header is corrupt: {0}")]
    Corrupt(String),
    /// The file could not be read.
    #[error("could not read the file: {0}")]
    Io(#[from] io::Error),
}

/// A metadata value. Arrays keep only their element type and length (a
/// vocabulary is hundreds of thousands of strings, not needed here).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An unsigned integer (`u8`, `u16`, `u32`, `u64`).
    Uint(u64),
    /// A signed integer (`i8`, `i16`, `i32`, `i64`).
    Int(i64),
    /// A float (`f32`, `f64`).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A UTF-8 string (invalid UTF-8 is replaced).
    String(String),
    /// An array: its elements' GGUF type id and its length.
    Array {
        /// GGUF value type of the elements (8 string, 9 array, …).
        element_type: u32,
        /// Number of elements.
        len: u64,
    },
}

impl Value {
    /// The value as an unsigned integer, if it is a non-negative integer.
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::Uint(v) => Some(v),
            Value::Int(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// The value as a string, if it is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// One tensor of the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    /// Its name, e.g. `blk.0.attn_q.weight`.
    pub name: String,
    /// Its dimensions, in GGML's order (at most [`MAX_DIMS`]).
    pub dims: Vec<u64>,
    /// Its GGML type id (0 `F32`, 1 `F16`, 2 `Q4_0`, … see `ggml_type`).
    pub ggml_type: u32,
}

impl TensorInfo {
    /// Number of elements (the product of the dimensions, saturating).
    #[must_use]
    pub fn elements(&self) -> u64 {
        self.dims.iter().fold(1u64, |n, d| n.saturating_mul(*d))
    }
}

/// A GGUF header: version, metadata and tensor directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// GGUF version (2 or 3).
    pub version: u32,
    /// The key–value metadata, by key.
    pub metadata: BTreeMap<String, Value>,
    /// The tensors, in the file's order.
    pub tensors: Vec<TensorInfo>,
}

/// Reads a GGUF header from `reader`, whose total length is `len` bytes
/// (the file's size: every count and length is checked against it).
///
/// # Errors
/// [`GgufError`] for a wrong magic, an unknown version, a truncated or
/// corrupt header, or a read error.
pub fn read_header<R: Read + Seek>(reader: R, len: u64) -> Result<Header, GgufError> {
    let mut r = Bounded {
        inner: reader,
        pos: 0,
        len,
    };
    let mut magic = [0u8; 4];
    r.exact(&mut magic, "the magic")?;
    if magic != MAGIC {
        return Err(GgufError::BadMagic(magic));
    }
    let version = r.u32("the version")?;
    if !(2..=3).contains(&version) {
        return Err(GgufError::UnsupportedVersion(version));
    }
    let tensor_count = r.u64("the tensor count")?;
    let kv_count = r.u64("the metadata count")?;
    // A pair is at least a key length, a type and a one-byte value; a
    // tensor at least a name length, a dimension count, a type and an offset.
    r.fits(kv_count, 13, "metadata pairs")?;
    r.fits(tensor_count, 24, "tensors")?;
    let mut metadata = BTreeMap::new();
    for _ in 0..kv_count {
        let key = r.string("a metadata key")?;
        let value_type = r.u32("a value type")?;
        let value = r.value(value_type, 0)?;
        metadata.insert(key, value);
    }
    let mut tensors = Vec::new();
    for _ in 0..tensor_count {
        let name = r.string("a tensor name")?;
        let n_dims = r.u32("a tensor's dimension count")?;
        if n_dims > MAX_DIMS {
            return Err(GgufError::Corrupt(format!(
                "tensor “{name}” has {n_dims} dimensions (at most {MAX_DIMS})"
            )));
        }
        let mut dims = Vec::with_capacity(n_dims as usize);
        for _ in 0..n_dims {
            dims.push(r.u64("a tensor dimension")?);
        }
        let ggml_type = r.u32("a tensor type")?;
        let _offset = r.u64("a tensor offset")?;
        tensors.push(TensorInfo {
            name,
            dims,
            ggml_type,
        });
    }
    Ok(Header {
        version,
        metadata,
        tensors,
    })
}

/// A reader that knows how many bytes are left.
struct Bounded<R> {
    inner: R,
    pos: u64,
    len: u64,
}

impl<R: Read + Seek> Bounded<R> {
    fn left(&self) -> u64 {
        self.len.saturating_sub(self.pos)
    }

    /// Checks that `count` items of at least `min` bytes each fit in what
    /// is left.
    fn fits(&self, count: u64, min: u64, what: &str) -> Result<(), GgufError> {
        if count.saturating_mul(min) > self.left() {
            return Err(GgufError::Corrupt(format!(
                "{count} {what} cannot fit in the {} bytes left (the file is truncated or corrupt)",
                self.left()
            )));
        }
        Ok(())
    }

    fn exact(&mut self, buf: &mut [u8], what: &'static str) -> Result<(), GgufError> {
        if (buf.len() as u64) > self.left() {
            return Err(GgufError::Truncated(what));
        }
        match self.inner.read_exact(buf) {
            Ok(()) => {
                self.pos += buf.len() as u64;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(GgufError::Truncated(what)),
            Err(e) => Err(e.into()),
        }
    }

    fn skip(&mut self, n: u64, what: &'static str) -> Result<(), GgufError> {
        if n > self.left() {
            return Err(GgufError::Truncated(what));
        }
        if n <= SHORT_SKIP {
            // Read through a short skip: a seek would drop a `BufReader`'s
            // buffer (a vocabulary is 150,000 short strings).
            let skipped = io::copy(&mut (&mut self.inner).take(n), &mut io::sink())?;
            if skipped < n {
                return Err(GgufError::Truncated(what));
            }
        } else {
            let offset = i64::try_from(n).map_err(|_| GgufError::Truncated(what))?;
            self.inner.seek(SeekFrom::Current(offset))?;
        }
        self.pos += n;
        Ok(())
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, GgufError> {
        let mut b = [0u8; 4];
        self.exact(&mut b, what)?;
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, GgufError> {
        let mut b = [0u8; 8];
        self.exact(&mut b, what)?;
        Ok(u64::from_le_bytes(b))
    }

    fn string(&mut self, what: &'static str) -> Result<String, GgufError> {
        let n = self.u64(what)?;
        if n > self.left() {
            return Err(GgufError::Truncated(what));
        }
        if n > MAX_STRING {
            return Err(GgufError::Corrupt(format!(
                "a string of {n} bytes while reading {what} (at most {MAX_STRING})"
            )));
        }
        let mut buf = vec![0u8; usize::try_from(n).unwrap_or(0)];
        self.exact(&mut buf, what)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// Reads one value of GGUF type `ty` (arrays are skipped over).
    fn value(&mut self, ty: u32, depth: u32) -> Result<Value, GgufError> {
        const W: &str = "a metadata value";
        Ok(match ty {
            0 | 1 | 7 => {
                let mut b = [0u8; 1];
                self.exact(&mut b, W)?;
                match ty {
                    0 => Value::Uint(u64::from(b[0])),
                    1 => Value::Int(i64::from(i8::from_le_bytes(b))),
                    _ => match b[0] {
                        0 => Value::Bool(false),
                        1 => Value::Bool(true),
                        other => {
                            return Err(GgufError::Corrupt(format!(
                                "a boolean holds {other} (0 or 1)"
                            )));
                        }
                    },
                }
            }
            2 | 3 => {
                let mut b = [0u8; 2];
                self.exact(&mut b, W)?;
                if ty == 2 {
                    Value::Uint(u64::from(u16::from_le_bytes(b)))
                } else {
                    Value::Int(i64::from(i16::from_le_bytes(b)))
                }
            }
            4..=6 => {
                let mut b = [0u8; 4];
                self.exact(&mut b, W)?;
                match ty {
                    4 => Value::Uint(u64::from(u32::from_le_bytes(b))),
                    5 => Value::Int(i64::from(i32::from_le_bytes(b))),
                    _ => Value::Float(f64::from(f32::from_le_bytes(b))),
                }
            }
            10..=12 => {
                let mut b = [0u8; 8];
                self.exact(&mut b, W)?;
                match ty {
                    10 => Value::Uint(u64::from_le_bytes(b)),
                    11 => Value::Int(i64::from_le_bytes(b)),
                    _ => Value::Float(f64::from_le_bytes(b)),
                }
            }
            8 => Value::String(self.string(W)?),
            9 => {
                if depth >= MAX_NESTING {
                    return Err(GgufError::Corrupt(format!(
                        "arrays nested more than {MAX_NESTING} deep"
                    )));
                }
                let element_type = self.u32("an array's element type")?;
                let len = self.u64("an array's length")?;
                self.skip_array(element_type, len, depth + 1)?;
                Value::Array { element_type, len }
            }
            other => {
                return Err(GgufError::Corrupt(format!("unknown value type {other}")));
            }
        })
    }

    /// Skips `len` elements of type `ty` without keeping them.
    fn skip_array(&mut self, ty: u32, len: u64, depth: u32) -> Result<(), GgufError> {
        const W: &str = "an array";
        let fixed = match ty {
            0 | 1 | 7 => Some(1),
            2 | 3 => Some(2),
            4..=6 => Some(4),
            10..=12 => Some(8),
            _ => None,
        };
        if let Some(size) = fixed {
            let bytes = len.checked_mul(size).ok_or(GgufError::Truncated(W))?;
            return self.skip(bytes, W);
        }
        match ty {
            // A string is at least its 8-byte length.
            8 => {
                self.fits(len, 8, "array strings")?;
                for _ in 0..len {
                    let n = self.u64(W)?;
                    self.skip(n, W)?;
                }
            }
            9 => {
                self.fits(len, 12, "nested arrays")?;
                for _ in 0..len {
                    self.value(9, depth)?;
                }
            }
            other => {
                return Err(GgufError::Corrupt(format!(
                    "unknown array element type {other}"
                )));
            }
        }
        Ok(())
    }
}
