//! The GGUF reader on headers written here: the fields read, and every
//! kind of damage an error, never a panic (truncation at every byte, every
//! single-byte corruption, huge lengths, unknown types, a wrong magic).

use std::io::Cursor;

use super::gguf::{GgufError, MAX_STRING, Value, read_header};
use super::memory::estimate;
use super::metadata::from_header;

/// A GGUF v3 header being written.
pub(crate) struct Writer {
    kv: Vec<u8>,
    kv_count: u64,
    tensors: Vec<u8>,
    tensor_count: u64,
}

impl Writer {
    pub(crate) fn new() -> Self {
        Self {
            kv: Vec::new(),
            kv_count: 0,
            tensors: Vec::new(),
            tensor_count: 0,
        }
    }

    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn str(mut self, key: &str, value: &str) -> Self {
        Self::string(&mut self.kv, key);
        self.kv.extend_from_slice(&8u32.to_le_bytes());
        Self::string(&mut self.kv, value);
        self.kv_count += 1;
        self
    }

    pub(crate) fn u32(mut self, key: &str, value: u32) -> Self {
        Self::string(&mut self.kv, key);
        self.kv.extend_from_slice(&4u32.to_le_bytes());
        self.kv.extend_from_slice(&value.to_le_bytes());
        self.kv_count += 1;
        self
    }

    pub(crate) fn strings(mut self, key: &str, values: &[&str]) -> Self {
        Self::string(&mut self.kv, key);
        self.kv.extend_from_slice(&9u32.to_le_bytes());
        self.kv.extend_from_slice(&8u32.to_le_bytes());
        self.kv
            .extend_from_slice(&(values.len() as u64).to_le_bytes());
        for v in values {
            Self::string(&mut self.kv, v);
        }
        self.kv_count += 1;
        self
    }

    pub(crate) fn tensor(mut self, name: &str, dims: &[u64], ggml_type: u32) -> Self {
        Self::string(&mut self.tensors, name);
        self.tensors
            .extend_from_slice(&(u32::try_from(dims.len()).unwrap()).to_le_bytes());
        for d in dims {
            self.tensors.extend_from_slice(&d.to_le_bytes());
        }
        self.tensors.extend_from_slice(&ggml_type.to_le_bytes());
        self.tensors.extend_from_slice(&0u64.to_le_bytes());
        self.tensor_count += 1;
        self
    }

    pub(crate) fn bytes(&self) -> Vec<u8> {
        let mut out = b"GGUF".to_vec();
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&self.tensor_count.to_le_bytes());
        out.extend_from_slice(&self.kv_count.to_le_bytes());
        out.extend_from_slice(&self.kv);
        out.extend_from_slice(&self.tensors);
        out
    }
}

/// A small qwen2-like header: 2 layers, 8 heads, 2 KV heads, 64 wide.
pub(crate) fn sample() -> Vec<u8> {
    Writer::new()
        .str("general.architecture", "qwen2")
        .str("general.name", "Sample")
        .str("general.license", "apache-2.0")
        .u32("general.file_type", 15)
        .u32("qwen2.context_length", 32768)
        .u32("qwen2.embedding_length", 64)
        .u32("qwen2.block_count", 2)
        .u32("qwen2.attention.head_count", 8)
        .u32("qwen2.attention.head_count_kv", 2)
        .str(
            "tokenizer.chat_template",
            "{% for m in messages %}{{ m.content }}{% endfor %}",
        )
        .strings("tokenizer.ggml.tokens", &["a", "b", "<|im_end|>"])
        .tensor("token_embd.weight", &[64, 3], 12)
        .tensor("blk.0.attn_q.weight", &[64, 64], 12)
        .tensor("output_norm.weight", &[64], 0)
        .bytes()
}

fn parse(bytes: &[u8]) -> Result<super::gguf::Header, GgufError> {
    read_header(Cursor::new(bytes), bytes.len() as u64)
}

#[test]
fn reads_the_fields_of_a_header() {
    let header = parse(&sample()).expect("valid");
    assert_eq!(header.version, 3);
    assert_eq!(
        header.metadata["tokenizer.ggml.tokens"],
        Value::Array {
            element_type: 8,
            len: 3
        }
    );
    let m = from_header(&header, 1_000_000).expect("has an architecture");
    assert_eq!(m.architecture, "qwen2");
    assert_eq!(m.name.as_deref(), Some("Sample"));
    assert_eq!(m.license.as_deref(), Some("apache-2.0"));
    assert_eq!(m.quantization, "Q4_K_M");
    assert_eq!(m.parameters, 64 * 3 + 64 * 64 + 64);
    assert_eq!(m.context_length, Some(32768));
    assert_eq!((m.embedding_length, m.layers), (Some(64), Some(2)));
    assert!(m.chat_template.as_deref().unwrap().contains("messages"));
    assert_eq!(m.size_bytes, 1_000_000);
}

#[test]
fn quantization_from_tensors_without_a_file_type() {
    let bytes = Writer::new()
        .str("general.architecture", "llama")
        .tensor("a", &[1000, 10], 8)
        .tensor("b", &[100], 0)
        .bytes();
    let m = from_header(&parse(&bytes).unwrap(), 0).unwrap();
    assert_eq!(m.quantization, "Q8_0");
}

#[test]
fn memory_is_weights_and_an_f16_kv_cache() {
    let m = from_header(&parse(&sample()).unwrap(), 5_000_000).unwrap();
    // 2 (K and V) × 2 layers × 1,000 tokens × 2 KV heads × (64 / 8) × 2 bytes
    let e = estimate(&m, Some(1000));
    assert_eq!(e.kv_cache_bytes, 2 * 2 * 1000 * 2 * 8 * 2);
    assert_eq!(e.weights_bytes, 5_000_000);
    assert_eq!(e.total_bytes(), 5_000_000 + 128_000);
    assert_eq!(estimate(&m, None).context_length, 32768);
}

#[test]
fn a_wrong_magic_or_version_is_refused() {
    let mut bytes = sample();
    bytes[0] = b'X';
    assert!(matches!(parse(&bytes), Err(GgufError::BadMagic(_))));
    let mut bytes = sample();
    bytes[4] = 1;
    assert!(matches!(
        parse(&bytes),
        Err(GgufError::UnsupportedVersion(1))
    ));
    assert!(matches!(
        parse(b"PK\x03\x04 a zip"),
        Err(GgufError::BadMagic(_))
    ));
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = sample();
    for cut in 0..bytes.len() {
        let err = parse(&bytes[..cut]).expect_err("a truncated header");
        assert!(
            matches!(err, GgufError::Truncated(_) | GgufError::Corrupt(_)),
            "cut at {cut}: {err}"
        );
    }
}

#[test]
fn every_byte_changed_gives_a_result_not_a_panic() {
    let bytes = sample();
    for at in 0..bytes.len() {
        for value in [0x00, 0x01, 0x7f, 0x80, 0xff] {
            let mut broken = bytes.clone();
            broken[at] = value;
            let _ = parse(&broken);
        }
    }
}

#[test]
fn huge_counts_and_lengths_are_refused_without_allocating() {
    // A string length of u64::MAX, then one past what is kept.
    let mut bytes = b"GGUF".to_vec();
    bytes.extend_from_slice(&3u32.to_le_bytes());
    bytes.extend_from_slice(&0u64.to_le_bytes());
    bytes.extend_from_slice(&1u64.to_le_bytes());
    let mut huge = bytes.clone();
    huge.extend_from_slice(&u64::MAX.to_le_bytes());
    huge.extend_from_slice(&[0u8; 64]);
    assert!(matches!(parse(&huge), Err(GgufError::Truncated(_))));
    // A length within the (claimed) file but over MAX_STRING.
    let mut long = bytes.clone();
    long.extend_from_slice(&(MAX_STRING + 1).to_le_bytes());
    let claimed = MAX_STRING * 4;
    let err = read_header(Cursor::new(&long), claimed).expect_err("too long");
    assert!(matches!(err, GgufError::Corrupt(_)), "{err}");
    // Counts that cannot fit in the file.
    let mut counts = b"GGUF".to_vec();
    counts.extend_from_slice(&3u32.to_le_bytes());
    counts.extend_from_slice(&u64::MAX.to_le_bytes());
    counts.extend_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(parse(&counts), Err(GgufError::Corrupt(_))));
    // An array of u64::MAX strings, and one of u64::MAX u64s.
    for element in [8u32, 10] {
        let mut array = bytes.clone();
        array.extend_from_slice(&1u64.to_le_bytes());
        array.push(b'k');
        array.extend_from_slice(&9u32.to_le_bytes());
        array.extend_from_slice(&element.to_le_bytes());
        array.extend_from_slice(&u64::MAX.to_le_bytes());
        array.extend_from_slice(&[0u8; 32]);
        assert!(parse(&array).is_err());
    }
}

#[test]
fn unknown_value_types_and_too_many_dimensions_are_refused() {
    let mut bytes = b"GGUF".to_vec();
    bytes.extend_from_slice(&3u32.to_le_bytes());
    bytes.extend_from_slice(&0u64.to_le_bytes());
    bytes.extend_from_slice(&1u64.to_le_bytes());
    bytes.extend_from_slice(&1u64.to_le_bytes());
    bytes.push(b'k');
    bytes.extend_from_slice(&13u32.to_le_bytes());
    bytes.extend_from_slice(&[0u8; 16]);
    let err = parse(&bytes).expect_err("type 13");
    assert!(err.to_string().contains("unknown value type 13"), "{err}");
    let five = Writer::new()
        .str("general.architecture", "llama")
        .tensor("t", &[1, 1, 1, 1, 1], 0)
        .bytes();
    assert!(matches!(parse(&five), Err(GgufError::Corrupt(_))));
}

#[test]
fn a_header_without_an_architecture_has_no_metadata() {
    let bytes = Writer::new().str("general.name", "x").bytes();
    assert!(from_header(&parse(&bytes).unwrap(), 0).is_none());
}

#[test]
fn the_catalog_parses_and_each_model_has_a_memory_figure() {
    let models = super::catalog::models();
    assert!(models.len() >= 10);
    for m in &models {
        let memory = m.memory();
        assert!(
            memory.kv_cache_bytes > 0 && memory.total_bytes() > m.size_mb * 1_000_000,
            "{}",
            m.id
        );
        assert!(
            std::path::Path::new(&m.file)
                .extension()
                .is_some_and(|e| e == "gguf")
                && m.repo.contains('/'),
            "{}",
            m.id
        );
    }
    // Llama 3.2 1B: 2 × 16 layers × 4,096 × 8 KV heads × 64 × 2 bytes = 128 MiB.
    let llama = models
        .iter()
        .find(|m| m.id == "llama-3.2-1b-instruct")
        .unwrap();
    assert_eq!(llama.memory().kv_cache_bytes, 128 << 20);
}

#[test]
fn hub_names_and_urls() {
    use super::download::HfFile;
    let f = HfFile::from_url(
        "https://huggingface.co/Qwen/R-GGUF/resolve/main/sub/m.gguf?download=true",
    )
    .unwrap();
    assert_eq!(
        (f.repo.as_str(), f.revision.as_str(), f.file.as_str()),
        ("Qwen/R-GGUF", "main", "sub/m.gguf")
    );
    assert_eq!(f.endpoint, "https://huggingface.co");
    assert_eq!(
        f.tree_url(),
        "https://huggingface.co/api/models/Qwen/R-GGUF/tree/main/sub"
    );
    assert_eq!(f.file_name(), "m.gguf");
    assert!(HfFile::from_url("https://example.com/m.gguf").is_err());
    assert!(HfFile::new("http://x", "no-slash", "m.gguf").is_err());
    assert!(HfFile::new("http://x", "a/b", "../m.gguf").is_err());
}
