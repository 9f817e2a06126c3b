//! What an import reads: a file on disk, bytes already in memory (a web upload), or any
//! reader (a pipe, a decompressor), each with the name the import log records.
//!
//! Every byte passes once through a [`DigestReader`], which hashes it (SHA-256, recorded
//! with the import and in the audit log) and counts it (progress) as the parser reads,
//! so a file is read exactly once and the digest always covers the whole input.
//!
//! This module opens and reads; it never parses (that is `source.rs`).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};

/// The input of one import.
pub struct ImportInput {
    name: String,
    data: InputData,
}

enum InputData {
    File(PathBuf),
    Bytes(Vec<u8>),
    Reader {
        reader: Box<dyn Read + Send>,
        length: Option<u64>,
    },
}

impl ImportInput {
    /// A file on disk; its name in the import log is the path as given.
    pub fn file(path: impl Into<PathBuf>) -> ImportInput {
        let path = path.into();
        ImportInput {
            name: path.display().to_string(),
            data: InputData::File(path),
        }
    }

    /// Bytes in memory, such as an upload, under the name it came with.
    pub fn bytes(name: impl Into<String>, bytes: Vec<u8>) -> ImportInput {
        ImportInput {
            name: name.into(),
            data: InputData::Bytes(bytes),
        }
    }

    /// Any reader, with its length when known (for progress).
    pub fn reader(
        name: impl Into<String>,
        reader: impl Read + Send + 'static,
        length: Option<u64>,
    ) -> ImportInput {
        ImportInput {
            name: name.into(),
            data: InputData::Reader {
                reader: Box::new(reader),
                length,
            },
        }
    }

    /// The name recorded with the import (a path, or an upload's file name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Opens the input: a reader that hashes and counts what passes through it, the
    /// total length when known, and the handle that gives the digest at the end.
    pub(crate) fn open(self) -> Result<(DigestReader, Option<u64>, InputDigest)> {
        let digest = InputDigest::default();
        let (inner, length): (Box<dyn Read + Send>, Option<u64>) = match self.data {
            InputData::File(path) => {
                let read_err = |source| StoreError::Read {
                    path: path.clone(),
                    source,
                };
                let file = std::fs::File::open(&path).map_err(read_err)?;
                let length = file.metadata().map_err(read_err)?.len();
                (Box::new(file), Some(length))
            }
            InputData::Bytes(bytes) => {
                let length = bytes.len() as u64;
                (Box::new(std::io::Cursor::new(bytes)), Some(length))
            }
            InputData::Reader { reader, length } => (reader, length),
        };
        let reader = DigestReader {
            inner,
            state: digest.0.clone(),
        };
        Ok((reader, length, digest))
    }
}

impl std::fmt::Debug for ImportInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportInput")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct DigestState {
    hasher: Sha256,
}

/// A reader that hashes and counts every byte read through it.
pub(crate) struct DigestReader {
    inner: Box<dyn Read + Send>,
    state: Arc<Mutex<DigestState>>,
}

impl Read for DigestReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut state = self.state.lock().expect("digest lock");
        state.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// The digest of what a [`DigestReader`] has read, shared with it.
#[derive(Clone, Default)]
pub(crate) struct InputDigest(Arc<Mutex<DigestState>>);

impl InputDigest {
    /// The SHA-256 of everything read, as lowercase hex.
    pub fn sha256(&self) -> String {
        let state = self.0.lock().expect("digest lock");
        format!("{:x}", state.hasher.clone().finalize())
    }
}

/// A writer that hashes what is written to it (the digest of a stream of records, as
/// the canonical CSV they would be written as).
#[derive(Default)]
pub(crate) struct HashingWriter(pub Sha256);

impl Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
