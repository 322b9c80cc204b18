//! Reader for the IDX format in which MNIST is distributed (images `idx3-ubyte`, labels
//! `idx1-ubyte`), gzipped or not. Every malformed input gives a typed [`IdxError`].

use std::io::Read;

use flate2::read::GzDecoder;

/// Magic number of an IDX file of unsigned bytes with three dimensions (images).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned bytes with one dimension (labels).
pub const LABELS_MAGIC: u32 = 0x0000_0801;
/// Most bytes a gzipped IDX file may inflate to (header and data): a gzip stream is only ever
/// inflated as far as its header declares, and one declaring more is refused before any of
/// its data is inflated. 70,000 images of 28x28 are 55 MB.
pub const MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;

/// Why an IDX file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdxError {
    /// The file does not start with the expected magic number.
    #[error("{file}: magic number is {found:#010x}, expected {expected:#010x}")]
    BadMagic {
        /// Which file: "images" or "labels".
        file: &'static str,
        /// The magic number found.
        found: u32,
        /// The magic number expected for this kind of file.
        expected: u32,
    },
    /// The file ends before its header or its data is complete.
    #[error("{file}: truncated: {needed} bytes needed, {found} present")]
    Truncated {
        /// Which file: "images" or "labels".
        file: &'static str,
        /// Bytes the header promises.
        needed: usize,
        /// Bytes actually present.
        found: usize,
    },
    /// Images are not of the size the caller expects.
    #[error("images are {rows}x{cols}, expected {expected}x{expected}")]
    WrongDimensions {
        /// Rows per image in the file.
        rows: usize,
        /// Columns per image in the file.
        cols: usize,
        /// Expected side length.
        expected: usize,
    },
    /// The two files disagree on how many items they hold.
    #[error("{images} images but {labels} labels")]
    CountMismatch {
        /// Number of images.
        images: usize,
        /// Number of labels.
        labels: usize,
    },
    /// A gzipped file whose header declares more data than [`MAX_INFLATED_BYTES`].
    #[error(
        "{file}: its header declares {declared} bytes, more than the {MAX_INFLATED_BYTES} a gzipped IDX file may inflate to"
    )]
    TooLarge {
        /// Which file: "images" or "labels".
        file: &'static str,
        /// Bytes the header declares (header included).
        declared: u64,
    },
    /// A gzip stream could not be decompressed.
    #[error("{file}: not a valid gzip stream ({reason})")]
    BadGzip {
        /// Which file: "images" or "labels".
        file: &'static str,
        /// The decompressor's message.
        reason: String,
    },
}

/// Images and labels decoded from an IDX pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxPair {
    /// Row-major pixel bytes, `count * side * side` of them.
    pub pixels: Vec<u8>,
    /// One label per image.
    pub labels: Vec<u8>,
    /// Side length of the square images.
    pub side: usize,
}

/// Decodes an images file and a labels file (each gzipped or raw) whose images must be
/// `side` x `side`.
pub fn decode_idx_pair(images: &[u8], labels: &[u8], side: usize) -> Result<IdxPair, IdxError> {
    let pixels = decode_idx_images(images, side)?;
    let labels = decode_idx_labels(labels)?;
    let count = pixels.len() / (side * side).max(1);
    if count != labels.len() {
        return Err(IdxError::CountMismatch {
            images: count,
            labels: labels.len(),
        });
    }
    Ok(IdxPair { pixels, labels, side })
}

/// Decodes an images file (gzipped or raw) whose images must be `side` x `side`: their pixel
/// bytes, row-major, image after image.
pub fn decode_idx_images(images: &[u8], side: usize) -> Result<Vec<u8>, IdxError> {
    let images = maybe_gunzip(images, "images", IMAGES_MAGIC, 3)?;
    let (dims, pixels) = parse(&images, "images", IMAGES_MAGIC, 3)?;
    let (rows, cols) = (dims[1], dims[2]);
    if rows != side || cols != side {
        return Err(IdxError::WrongDimensions {
            rows,
            cols,
            expected: side,
        });
    }
    Ok(pixels.to_vec())
}

/// Decodes a labels file (gzipped or raw).
pub fn decode_idx_labels(labels: &[u8]) -> Result<Vec<u8>, IdxError> {
    let labels = maybe_gunzip(labels, "labels", LABELS_MAGIC, 1)?;
    let (_, labels) = parse(&labels, "labels", LABELS_MAGIC, 1)?;
    Ok(labels.to_vec())
}

/// The magic number of an IDX file (gzipped or raw), if it has four bytes to read. Inflates
/// no more than those four bytes.
pub fn idx_magic(bytes: &[u8]) -> Result<Option<u32>, IdxError> {
    let bytes = if is_gzip(bytes) {
        inflate_prefix(bytes, "file", 4)?.into()
    } else {
        std::borrow::Cow::Borrowed(bytes)
    };
    Ok(bytes.get(..4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
}

/// An uncompressed IDX images file of `side` x `side` images from their pixel bytes.
pub fn encode_idx_images(pixels: &[u8], side: usize) -> Vec<u8> {
    let count = pixels.len() / (side * side).max(1);
    let mut bytes = Vec::with_capacity(16 + pixels.len());
    for word in [IMAGES_MAGIC, count as u32, side as u32, side as u32] {
        bytes.extend_from_slice(&word.to_be_bytes());
    }
    bytes.extend_from_slice(pixels);
    bytes
}

/// An uncompressed IDX labels file.
pub fn encode_idx_labels(labels: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(8 + labels.len());
    for word in [LABELS_MAGIC, labels.len() as u32] {
        bytes.extend_from_slice(&word.to_be_bytes());
    }
    bytes.extend_from_slice(labels);
    bytes
}

fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Gunzips `bytes` when they start with the gzip magic, else returns them as they are. The
/// stream is inflated in two reads: the IDX header of `rank` dimensions first, then exactly as
/// many bytes as that header declares, refused beyond [`MAX_INFLATED_BYTES`]; a header of
/// another kind than `magic` stops after the header (the caller names the mismatch).
fn maybe_gunzip<'a>(
    bytes: &'a [u8],
    file: &'static str,
    magic: u32,
    rank: usize,
) -> Result<std::borrow::Cow<'a, [u8]>, IdxError> {
    if !is_gzip(bytes) {
        return Ok(bytes.into());
    }
    let header_len = 4 + 4 * rank;
    let header = inflate_prefix(bytes, file, header_len as u64)?;
    if header.len() < header_len || header[..4] != magic.to_be_bytes() {
        return Ok(header.into());
    }
    let declared = (0..rank)
        .map(|d| {
            u64::from(u32::from_be_bytes(
                header[4 + 4 * d..8 + 4 * d].try_into().expect("4 bytes"),
            ))
        })
        .try_fold(1u64, |product, d| product.checked_mul(d))
        .and_then(|items| items.checked_add(header_len as u64))
        .unwrap_or(u64::MAX);
    if declared > MAX_INFLATED_BYTES {
        return Err(IdxError::TooLarge { file, declared });
    }
    // One byte more than declared: a stream that ends where its header says reaches its end,
    // so its checksum is verified; a longer one is cut (as a raw file's tail is ignored).
    Ok(inflate_prefix(bytes, file, declared + 1)?.into())
}

/// The first `limit` bytes the gzip stream `bytes` inflates to (fewer if it ends first).
fn inflate_prefix(bytes: &[u8], file: &'static str, limit: u64) -> Result<Vec<u8>, IdxError> {
    let mut out = Vec::with_capacity(limit.min(MAX_INFLATED_BYTES) as usize);
    GzDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| IdxError::BadGzip {
            file,
            reason: e.to_string(),
        })?;
    Ok(out)
}

/// Checks the header of one IDX file and returns its dimensions and its data bytes.
fn parse<'a>(bytes: &'a [u8], file: &'static str, magic: u32, rank: usize) -> Result<(Vec<usize>, &'a [u8]), IdxError> {
    let header = 4 + 4 * rank;
    let word = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    // The magic number first: a file of the wrong kind is named as such, even when short.
    if bytes.len() >= 4 && word(0) != magic {
        return Err(IdxError::BadMagic {
            file,
            found: word(0),
            expected: magic,
        });
    }
    if bytes.len() < header {
        return Err(IdxError::Truncated {
            file,
            needed: header,
            found: bytes.len(),
        });
    }
    let dims: Vec<usize> = (0..rank).map(|d| word(4 + 4 * d) as usize).collect();
    let needed = dims
        .iter()
        .try_fold(1usize, |product, &d| product.checked_mul(d))
        .and_then(|items| items.checked_add(header))
        .unwrap_or(usize::MAX);
    if bytes.len() < needed {
        return Err(IdxError::Truncated {
            file,
            needed,
            found: bytes.len(),
        });
    }
    Ok((dims, &bytes[header..needed]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images_file(count: u32, side: u32, data_len: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        for word in [IMAGES_MAGIC, count, side, side] {
            bytes.extend_from_slice(&word.to_be_bytes());
        }
        bytes.extend(std::iter::repeat_n(7u8, data_len));
        bytes
    }

    fn labels_file(count: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        for word in [LABELS_MAGIC, count] {
            bytes.extend_from_slice(&word.to_be_bytes());
        }
        bytes.extend((0..count).map(|i| (i % 10) as u8));
        bytes
    }

    #[test]
    fn encoding_round_trips() {
        let pixels: Vec<u8> = (0..3 * 16).map(|i| i as u8).collect();
        let pair = decode_idx_pair(&encode_idx_images(&pixels, 4), &encode_idx_labels(&[4, 5, 6]), 4).unwrap();
        assert_eq!(pair.pixels, pixels);
        assert_eq!(pair.labels, vec![4, 5, 6]);
        assert_eq!(idx_magic(&encode_idx_labels(&[1])).unwrap(), Some(LABELS_MAGIC));
        assert_eq!(idx_magic(&[1, 2]).unwrap(), None);
    }

    #[test]
    fn decodes_a_valid_raw_pair() {
        let pair = decode_idx_pair(&images_file(3, 4, 48), &labels_file(3), 4).unwrap();
        assert_eq!(pair.pixels.len(), 48);
        assert_eq!(pair.labels, vec![0, 1, 2]);
    }

    #[test]
    fn decodes_a_gzipped_pair() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let gz = |b: &[u8]| {
            let mut e = GzEncoder::new(Vec::new(), Compression::fast());
            e.write_all(b).unwrap();
            e.finish().unwrap()
        };
        let raw = decode_idx_pair(&images_file(2, 4, 32), &labels_file(2), 4).unwrap();
        let zipped = decode_idx_pair(&gz(&images_file(2, 4, 32)), &gz(&labels_file(2)), 4).unwrap();
        assert_eq!(raw, zipped);
    }

    #[test]
    fn rejects_bad_magic() {
        let mut images = images_file(1, 4, 16);
        images[3] = 0x01;
        let err = decode_idx_pair(&images, &labels_file(1), 4).unwrap_err();
        assert_eq!(
            err,
            IdxError::BadMagic {
                file: "images",
                found: 0x0801,
                expected: IMAGES_MAGIC
            }
        );
        // A labels file given as images is caught by its magic number too.
        let err = decode_idx_pair(&labels_file(1), &labels_file(1), 4).unwrap_err();
        assert!(matches!(err, IdxError::BadMagic { file: "images", .. }));
    }

    #[test]
    fn rejects_truncated_header_and_data() {
        let err = decode_idx_pair(&[0, 0, 8], &labels_file(1), 4).unwrap_err();
        assert_eq!(
            err,
            IdxError::Truncated {
                file: "images",
                needed: 16,
                found: 3
            }
        );
        let err = decode_idx_pair(&images_file(2, 4, 31), &labels_file(2), 4).unwrap_err();
        assert_eq!(
            err,
            IdxError::Truncated {
                file: "images",
                needed: 48,
                found: 47
            }
        );
        let mut labels = labels_file(5);
        labels.pop();
        let err = decode_idx_pair(&images_file(5, 4, 80), &labels, 4).unwrap_err();
        assert_eq!(
            err,
            IdxError::Truncated {
                file: "labels",
                needed: 13,
                found: 12
            }
        );
    }

    #[test]
    fn rejects_absurd_counts_without_overflow() {
        let err = decode_idx_pair(&images_file(u32::MAX, u32::MAX, 0), &labels_file(1), 4).unwrap_err();
        assert!(matches!(err, IdxError::Truncated { file: "images", .. }));
    }

    #[test]
    fn rejects_wrong_dimensions() {
        let err = decode_idx_pair(&images_file(1, 5, 25), &labels_file(1), 4).unwrap_err();
        assert_eq!(
            err,
            IdxError::WrongDimensions {
                rows: 5,
                cols: 5,
                expected: 4
            }
        );
    }

    #[test]
    fn rejects_count_mismatch() {
        let err = decode_idx_pair(&images_file(3, 4, 48), &labels_file(2), 4).unwrap_err();
        assert_eq!(err, IdxError::CountMismatch { images: 3, labels: 2 });
    }

    #[test]
    fn a_gzip_bomb_is_refused_from_its_header_or_inflated_only_as_far_as_it_declares() {
        let gz = |b: &[u8]| {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut encoder, b).unwrap();
            encoder.finish().unwrap()
        };
        // A header declaring 4 billion 4096x4096 images: refused before any data is inflated.
        let mut huge = Vec::new();
        for word in [IMAGES_MAGIC, u32::MAX, 4096, 4096] {
            huge.extend_from_slice(&word.to_be_bytes());
        }
        huge.extend_from_slice(&[0; 4096]);
        assert!(matches!(
            decode_idx_images(&gz(&huge), 4096),
            Err(IdxError::TooLarge { file: "images", declared }) if declared > MAX_INFLATED_BYTES
        ));
        assert!(
            decode_idx_images(&gz(&huge), 4096)
                .unwrap_err()
                .to_string()
                .contains("268435456")
        );
        // A small header followed by 64 MiB of zeros (64 kB gzipped): only the declared bytes
        // are inflated and used.
        let mut padded = images_file(3, 4, 48);
        padded.resize(padded.len() + 64 * 1024 * 1024, 0);
        let bomb = gz(&padded);
        assert!(bomb.len() < 1024 * 1024);
        assert_eq!(decode_idx_images(&bomb, 4).unwrap(), vec![7; 48]);
        assert_eq!(idx_magic(&bomb).unwrap(), Some(IMAGES_MAGIC));
        // A labels file whose header declares more than it holds is still truncated.
        let short = gz(&labels_file(3)[..9]);
        assert!(matches!(decode_idx_labels(&short), Err(IdxError::Truncated { .. })));
    }

    #[test]
    fn rejects_a_broken_gzip_stream() {
        let err = decode_idx_pair(&[0x1f, 0x8b, 8, 0, 1, 2, 3], &labels_file(1), 4).unwrap_err();
        assert!(matches!(err, IdxError::BadGzip { file: "images", .. }));
    }
}
