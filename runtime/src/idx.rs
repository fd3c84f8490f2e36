//! A reader for the IDX format, in which MNIST and its relatives (Fashion-MNIST, EMNIST,
//! KMNIST) are distributed.
//!
//! An IDX file is a 4-byte magic number — two zero bytes, a type code, the number of
//! dimensions — then each dimension as a big-endian `u32`, then the elements in row-major
//! order, big-endian. The type codes are 0x08 `u8`, 0x09 `i8`, 0x0B `i16`, 0x0C `i32`,
//! 0x0D `f32`, 0x0E `f64`. The downloads are gzipped: decompress them first (`gunzip`).
//!
//! Input is untrusted, so every malformation is an [`IdxError`], never a panic, and the
//! header's sizes are not trusted for allocation: data is read incrementally, so a corrupt
//! header claiming terabytes fails with [`IdxError::TruncatedData`], not an allocation abort.

use crate::float::Float;
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The elements of an IDX file, in the type the file stores.
#[derive(Clone, Debug, PartialEq)]
pub enum IdxData {
    /// Type code 0x08.
    U8(Vec<u8>),
    /// Type code 0x09.
    I8(Vec<i8>),
    /// Type code 0x0B.
    I16(Vec<i16>),
    /// Type code 0x0C.
    I32(Vec<i32>),
    /// Type code 0x0D.
    F32(Vec<f32>),
    /// Type code 0x0E.
    F64(Vec<f64>),
}

/// A decoded IDX file: its dimensions (outermost first) and its elements, row-major.
///
/// ```
/// use chainrule_runtime::idx::{read_idx, IdxData};
/// // Two 2×2 u8 "images": magic 00 00 08 03, dims 2, 2, 2, then 8 pixels.
/// let bytes = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 51, 102, 255, 1, 2, 3, 4];
/// let idx = read_idx(&bytes[..])?;
/// assert_eq!(idx.dims, [2, 2, 2]);
/// assert_eq!(idx.data, IdxData::U8(vec![0, 51, 102, 255, 1, 2, 3, 4]));
/// assert_eq!(idx.to_f32_scaled().unwrap()[..4], [0.0, 0.2, 0.4, 1.0]);
/// # Ok::<(), chainrule_runtime::idx::IdxError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Idx {
    /// The size of each dimension, outermost first: `[60000, 28, 28]` for MNIST's images.
    pub dims: Vec<usize>,
    /// The elements; their count is the product of `dims`.
    pub data: IdxData,
}

impl Idx {
    /// The number of elements.
    pub fn len(&self) -> usize {
        match &self.data {
            IdxData::U8(v) => v.len(),
            IdxData::I8(v) => v.len(),
            IdxData::I16(v) => v.len(),
            IdxData::I32(v) => v.len(),
            IdxData::F32(v) => v.len(),
            IdxData::F64(v) => v.len(),
        }
    }

    /// True when some dimension is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every element converted to `F` unchanged (exact for all types but `f64` into `f32`).
    pub fn to_float<F: Float>(&self) -> Vec<F> {
        fn conv<T: Copy, F: Float>(v: &[T], f: impl Fn(T) -> f64) -> Vec<F> {
            v.iter().map(|&x| F::from_f64(f(x))).collect()
        }
        match &self.data {
            IdxData::U8(v) => conv(v, f64::from),
            IdxData::I8(v) => conv(v, f64::from),
            IdxData::I16(v) => conv(v, f64::from),
            IdxData::I32(v) => conv(v, f64::from),
            IdxData::F32(v) => conv(v, f64::from),
            IdxData::F64(v) => conv(v, |x| x),
        }
    }

    /// For `u8` data (images), each byte divided by 255, so pixels lie in [0, 1];
    /// `None` for other types, whose range is not known.
    pub fn to_scaled<F: Float>(&self) -> Option<Vec<F>> {
        match &self.data {
            IdxData::U8(v) => Some(v.iter().map(|&x| F::from_f64(f64::from(x) / 255.0)).collect()),
            _ => None,
        }
    }

    /// [`Idx::to_scaled`] for `f32`: MNIST's pixels as network inputs.
    pub fn to_f32_scaled(&self) -> Option<Vec<f32>> {
        self.to_scaled()
    }

    /// For integer data with no negative element (label files), the elements as class
    /// indices; `None` otherwise.
    ///
    /// ```
    /// use chainrule_runtime::idx::read_idx;
    /// let labels = read_idx(&[0u8, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1][..])?;
    /// assert_eq!(labels.to_labels(), Some(vec![7, 2, 1]));
    /// # Ok::<(), chainrule_runtime::idx::IdxError>(())
    /// ```
    pub fn to_labels(&self) -> Option<Vec<usize>> {
        fn conv<T: Copy + TryInto<usize>>(v: &[T]) -> Option<Vec<usize>> {
            v.iter().map(|&x| x.try_into().ok()).collect()
        }
        match &self.data {
            IdxData::U8(v) => conv(v),
            IdxData::I8(v) => conv(v),
            IdxData::I16(v) => conv(v),
            IdxData::I32(v) => conv(v),
            IdxData::F32(_) | IdxData::F64(_) => None,
        }
    }
}

/// Why an IDX file could not be read.
#[derive(Debug)]
pub enum IdxError {
    /// The file could not be opened.
    Open { path: PathBuf, source: io::Error },
    /// Reading failed for a reason other than the input ending early.
    Io(io::Error),
    /// The first two bytes are not zero: not an IDX file (or still gzipped: 0x1f 0x8b).
    BadMagic { found: [u8; 2] },
    /// The third byte is not one of the six type codes.
    UnknownType(u8),
    /// The input ended inside the magic number or the dimensions.
    TruncatedHeader { expected: usize, found: usize },
    /// The input ended before all elements the dimensions promise (sizes in bytes, after
    /// the header).
    TruncatedData { expected: u64, found: u64 },
    /// The dimensions' product, in elements or in bytes, does not fit in memory addresses.
    DimensionOverflow { dims: Vec<u32> },
    /// Bytes follow the last element: the dimensions or the type code are wrong.
    TrailingData,
}

impl fmt::Display for IdxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdxError::Open { path, source } => write!(f, "cannot open IDX file {}: {source}", path.display()),
            IdxError::Io(e) => write!(f, "error reading IDX data: {e}"),
            IdxError::BadMagic { found: [0x1f, 0x8b] } => {
                write!(f, "not an IDX file: it is gzip-compressed (decompress it first)")
            }
            IdxError::BadMagic { found } => {
                write!(
                    f,
                    "not an IDX file: magic number starts {:#04x} {:#04x}, expected 0x00 0x00",
                    found[0], found[1]
                )
            }
            IdxError::UnknownType(code) => write!(
                f,
                "unknown IDX type code {code:#04x} (expected 0x08 u8, 0x09 i8, 0x0b i16, 0x0c i32, 0x0d f32, 0x0e f64)"
            ),
            IdxError::TruncatedHeader { expected, found } => {
                write!(f, "truncated IDX header: expected {expected} bytes, found {found}")
            }
            IdxError::TruncatedData { expected, found } => {
                write!(f, "truncated IDX data: expected {expected} bytes after the header, found {found}")
            }
            IdxError::DimensionOverflow { dims } => write!(f, "IDX dimensions {dims:?} are too large to address"),
            IdxError::TrailingData => write!(f, "IDX file has bytes after its last element"),
        }
    }
}

impl std::error::Error for IdxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IdxError::Open { source, .. } | IdxError::Io(source) => Some(source),
            _ => None,
        }
    }
}

/// Reads into `buf` until it is full or the input ends; returns how many bytes were read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> Result<usize, IdxError> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(IdxError::Io(e)),
        }
    }
    Ok(filled)
}

/// Decodes big-endian elements of `N` bytes.
fn decode<T, const N: usize>(bytes: &[u8], from_be: fn([u8; N]) -> T) -> Vec<T> {
    bytes
        .chunks_exact(N)
        .map(|c| {
            let mut a = [0u8; N];
            a.copy_from_slice(c);
            from_be(a)
        })
        .collect()
}

/// Reads one IDX file from `r`, which must end right after the last element.
///
/// ```
/// use chainrule_runtime::idx::{read_idx, IdxError};
/// // A 1-D i16 file claiming 3 elements but holding 2 (4 of 6 bytes).
/// let bytes = [0, 0, 0x0b, 1, 0, 0, 0, 3, 0xff, 0xfe, 0x01, 0x00];
/// let err = read_idx(&bytes[..]).unwrap_err();
/// assert!(matches!(err, IdxError::TruncatedData { expected: 6, found: 4 }));
/// ```
pub fn read_idx(mut r: impl Read) -> Result<Idx, IdxError> {
    let mut magic = [0u8; 4];
    let found = read_full(&mut r, &mut magic)?;
    if found < 2 {
        return Err(IdxError::TruncatedHeader { expected: 4, found });
    }
    if magic[..2] != [0, 0] {
        return Err(IdxError::BadMagic { found: [magic[0], magic[1]] });
    }
    if found < 4 {
        return Err(IdxError::TruncatedHeader { expected: 4, found });
    }
    let width = match magic[2] {
        0x08 | 0x09 => 1,
        0x0B => 2,
        0x0C | 0x0D => 4,
        0x0E => 8,
        code => return Err(IdxError::UnknownType(code)),
    };

    let rank = usize::from(magic[3]);
    let mut dim_bytes = vec![0u8; 4 * rank];
    let found = read_full(&mut r, &mut dim_bytes)?;
    if found < dim_bytes.len() {
        return Err(IdxError::TruncatedHeader { expected: 4 + dim_bytes.len(), found: 4 + found });
    }
    let raw: Vec<u32> = decode(&dim_bytes, u32::from_be_bytes);
    let overflow = || IdxError::DimensionOverflow { dims: raw.clone() };
    let dims: Vec<usize> = raw.iter().map(|&d| usize::try_from(d)).collect::<Result<_, _>>().map_err(|_| overflow())?;
    let count = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)).ok_or_else(overflow)?;
    let expected = count.checked_mul(width).ok_or_else(overflow)?;

    // Grow the buffer as bytes arrive rather than trusting `expected` for one allocation.
    let mut bytes = Vec::new();
    let expected = expected as u64;
    r.by_ref().take(expected).read_to_end(&mut bytes).map_err(IdxError::Io)?;
    let found = bytes.len() as u64;
    if found < expected {
        return Err(IdxError::TruncatedData { expected, found });
    }
    if read_full(&mut r, &mut [0u8; 1])? > 0 {
        return Err(IdxError::TrailingData);
    }

    let data = match magic[2] {
        0x08 => IdxData::U8(bytes),
        0x09 => IdxData::I8(decode(&bytes, i8::from_be_bytes)),
        0x0B => IdxData::I16(decode(&bytes, i16::from_be_bytes)),
        0x0C => IdxData::I32(decode(&bytes, i32::from_be_bytes)),
        0x0D => IdxData::F32(decode(&bytes, f32::from_be_bytes)),
        _ => IdxData::F64(decode(&bytes, f64::from_be_bytes)),
    };
    Ok(Idx { dims, data })
}

/// Opens and reads the (decompressed) IDX file at `path`.
///
/// ```no_run
/// use chainrule_runtime::idx::read_idx_file;
/// let images = read_idx_file("data/train-images-idx3-ubyte")?;
/// let labels = read_idx_file("data/train-labels-idx1-ubyte")?;
/// let (x, y) = (images.to_f32_scaled().unwrap(), labels.to_labels().unwrap());
/// assert_eq!(x.len(), y.len() * 28 * 28);
/// # Ok::<(), chainrule_runtime::idx::IdxError>(())
/// ```
pub fn read_idx_file(path: impl AsRef<Path>) -> Result<Idx, IdxError> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|source| IdxError::Open { path: path.to_path_buf(), source })?;
    read_idx(io::BufReader::new(file))
}
