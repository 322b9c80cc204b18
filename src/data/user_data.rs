//! Datasets a user brings: an IDX pair (images and labels, gzipped or not, as Fashion-MNIST,
//! KMNIST and EMNIST are distributed), an IDX images file alone, or PNG/JPEG images labelled by
//! their folder's name or their file name's prefix (`3_001.png`, `shoe-12.png`). Images become
//! 28x28 grayscale the way MNIST's were: light ink on a dark ground (a light ground is
//! inverted), and images of another size have their ink's bounding box scaled to 20 pixels and
//! centred by its centre of mass ([`super::preprocess`]). Every problem is a [`DatasetError`]
//! that names the file and what is wrong.

use std::io::Cursor;
use std::sync::Arc;

use image::{ImageReader, Limits};
use rand::seq::SliceRandom;
use rand::{SeedableRng, rngs::StdRng};

use super::idx::{IMAGES_MAGIC, IdxError, LABELS_MAGIC, decode_idx_images, decode_idx_labels, idx_magic};
use super::mnist::{IMAGE_PIXELS, IMAGE_SIDE, MIN_IMAGES, MnistError, MnistSplit, intensity_byte};
use super::preprocess::mnist_style;

/// The most images a dataset may have (as many as MNIST's training and test sets together).
pub const MAX_IMAGES: usize = 70_000;
/// The most classes labels may name: the models' and the classifier's ten.
pub const MAX_CLASSES: usize = 10;
/// The largest width or height of an image file, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 4096;
/// The most pixels a set of images may hold in all, summed from their headers before any is
/// decoded (2^30: 64 images of 4096x4096, or 70,000 of 120x120). Decoding costs time in
/// proportion, and the page waits while it runs.
pub const MAX_SOURCE_PIXELS: u64 = 1 << 30;
/// Intensity under which a pixel of an image that is resized counts as ground, not ink.
const FAINT: f32 = 0.15;
/// Name of the shipped dataset, as panels and links name it.
pub const SHIPPED_NAME: &str = "MNIST";

/// A file the user picked: its path (with folders, for a picked folder) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFile {
    /// `folder/sub/name.png` for a picked folder, else the file name.
    pub path: String,
    /// The file's contents.
    pub bytes: Vec<u8>,
}

impl UserFile {
    fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// A dataset ready to train on: named, split, with its class names.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Shown in the panels and written into share links.
    pub name: String,
    /// The images, split into training and held-out parts (the last tenth).
    pub split: Arc<MnistSplit>,
    /// Class names by label; empty when the images have no labels (their labels are all 0).
    pub classes: Vec<String>,
    /// What the user should know about how the files were read (labels dropped, images
    /// resized).
    pub notes: Vec<String>,
}

/// Why files could not become a dataset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatasetError {
    /// No files were given.
    #[error("no files were chosen")]
    Empty,
    /// An IDX file is malformed.
    #[error("{file}: {problem}")]
    Idx {
        /// The file's name.
        file: String,
        /// What is wrong.
        problem: IdxError,
    },
    /// A file is neither an IDX file nor a PNG or JPEG image.
    #[error("{0} is not an IDX file, nor a PNG or JPEG image")]
    Unrecognised(String),
    /// IDX files and images were mixed.
    #[error("choose either an IDX pair or image files, not both")]
    Mixed,
    /// Two IDX files of the same kind.
    #[error("{0} and {1} are both IDX {2} files: choose one images file and at most one labels file")]
    TwoOfAKind(String, String, &'static str),
    /// Labels without images.
    #[error("{0} holds labels only: choose its images file with it")]
    LabelsOnly(String),
    /// The two files of an IDX pair disagree on their count.
    #[error("{images} images but {labels} labels: the files are not a pair")]
    CountMismatch {
        /// Images in the images file.
        images: usize,
        /// Labels in the labels file.
        labels: usize,
    },
    /// An image could not be decoded.
    #[error("{file} could not be read as an image: {reason}")]
    BadImage {
        /// The file's name.
        file: String,
        /// The decoder's message.
        reason: String,
    },
    /// An image has no ink at all.
    #[error("{0} is blank: it has no ink to centre")]
    Blank(String),
    /// More images than [`MAX_IMAGES`].
    #[error("{0} images are more than the {MAX_IMAGES} allowed")]
    TooMany(usize),
    /// The images hold more pixels in all than [`MAX_SOURCE_PIXELS`], as their headers say.
    #[error(
        "the {count} images hold {} megapixels in all, more than the {} megapixels decoded at once: choose fewer or smaller images",
        pixels / 1_000_000,
        MAX_SOURCE_PIXELS / 1_000_000
    )]
    TooManyPixels {
        /// How many images.
        count: usize,
        /// Their pixels in all.
        pixels: u64,
    },
    /// The images do not make a split.
    #[error(transparent)]
    Split(#[from] MnistError),
}

impl Dataset {
    /// The shipped MNIST digits.
    pub fn shipped(split: Arc<MnistSplit>) -> Self {
        Self {
            name: SHIPPED_NAME.into(),
            split,
            classes: digit_names(),
            notes: Vec::new(),
        }
    }

    /// Whether this is the shipped MNIST.
    pub fn is_shipped(&self) -> bool {
        self.name == SHIPPED_NAME
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.split.train.len() + self.split.held_out.len()
    }

    /// Whether the dataset has no image (never true of a loaded one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the images have labels.
    pub fn is_labelled(&self) -> bool {
        !self.classes.is_empty()
    }

    /// Whether the shipped digit classifier's classes are this dataset's: its labels are
    /// digits. Metrics that judge samples with that classifier mean nothing otherwise.
    pub fn has_digit_classes(&self) -> bool {
        self.is_labelled() && self.classes.iter().all(|c| is_digit_name(c))
    }

    /// One line on the dataset: how many images, held out, and the classes.
    pub fn summary(&self) -> String {
        let classes = if self.is_labelled() {
            let mut present: Vec<u8> = self
                .split
                .train
                .labels
                .iter()
                .chain(&self.split.held_out.labels)
                .copied()
                .collect();
            present.sort_unstable();
            present.dedup();
            let names: Vec<&str> = present
                .iter()
                .filter_map(|&l| self.classes.get(usize::from(l)).map(String::as_str))
                .collect();
            format!("{} classes ({})", names.len(), names.join(", "))
        } else {
            "no labels".into()
        };
        format!(
            "{}: {} images ({} held out), {classes}",
            self.name,
            self.len(),
            self.split.held_out.len()
        )
    }
}

/// Reads the files a user picked: IDX files (an images file, with or without its labels file)
/// or PNG/JPEG images. Hidden files (names starting with a dot) are skipped. All at once: the
/// page decodes images a slice at a time instead ([`start_loading`]).
pub fn load_user_files(files: &[UserFile]) -> Result<Dataset, DatasetError> {
    match start_loading(files)? {
        Loading::Done(dataset) => Ok(dataset),
        Loading::Decoding(mut decoding) => {
            while !decoding.is_done() {
                decoding.decode_next(u64::MAX)?;
            }
            decoding.finish()
        }
    }
}

/// The user's files, checked and on their way to a dataset.
pub enum Loading<'a> {
    /// IDX files, read whole.
    Done(Dataset),
    /// Image files, every header checked, decoded by [`ImageDecoding::decode_next`].
    Decoding(ImageDecoding<'a>),
}

/// Checks the files a user picked and reads what is cheap: IDX files whole; for images, every
/// header (format, size, the pixel budget [`MAX_SOURCE_PIXELS`]), before any is decoded.
pub fn start_loading(files: &[UserFile]) -> Result<Loading<'_>, DatasetError> {
    let files: Vec<&UserFile> = files.iter().filter(|f| !f.name().starts_with('.')).collect();
    if files.is_empty() {
        return Err(DatasetError::Empty);
    }
    let kinds = files
        .iter()
        .map(|f| identify(f).map(|kind| (kind, *f)))
        .collect::<Result<Vec<_>, _>>()?;
    let images: Vec<&UserFile> = kinds
        .iter()
        .filter(|(k, _)| *k == FileKind::Image)
        .map(|(_, f)| *f)
        .collect();
    if images.len() == kinds.len() {
        return ImageDecoding::new(images).map(Loading::Decoding);
    }
    if !images.is_empty() {
        return Err(DatasetError::Mixed);
    }
    let of_kind =
        |kind: FileKind| -> Vec<&UserFile> { kinds.iter().filter(|(k, _)| *k == kind).map(|(_, f)| *f).collect() };
    let (idx_images, idx_labels) = (of_kind(FileKind::IdxImages), of_kind(FileKind::IdxLabels));
    match (idx_images.as_slice(), idx_labels.as_slice()) {
        ([images], []) => from_idx(images, None).map(Loading::Done),
        ([images], [labels]) => from_idx(images, Some(labels)).map(Loading::Done),
        ([], [labels, ..]) => Err(DatasetError::LabelsOnly(labels.name().into())),
        ([a, b, ..], _) => Err(DatasetError::TwoOfAKind(a.name().into(), b.name().into(), "images")),
        (_, [a, b, ..]) => Err(DatasetError::TwoOfAKind(a.name().into(), b.name().into(), "labels")),
        ([], []) => Err(DatasetError::Empty),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    IdxImages,
    IdxLabels,
    Image,
}

/// What a file is, from its first bytes.
fn identify(file: &UserFile) -> Result<FileKind, DatasetError> {
    let bytes = &file.bytes;
    if bytes.starts_with(&[0x89, b'P', b'N', b'G']) || bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(FileKind::Image);
    }
    let magic = idx_magic(bytes).map_err(|problem| DatasetError::Idx {
        file: file.name().into(),
        problem,
    })?;
    match magic {
        Some(IMAGES_MAGIC) => Ok(FileKind::IdxImages),
        Some(LABELS_MAGIC) => Ok(FileKind::IdxLabels),
        _ => Err(DatasetError::Unrecognised(file.name().into())),
    }
}

/// The dataset of an IDX images file and, if given, its labels file.
fn from_idx(images: &UserFile, labels: Option<&UserFile>) -> Result<Dataset, DatasetError> {
    let idx_error = |file: &UserFile| {
        let name = file.name().to_string();
        move |problem| DatasetError::Idx { file: name, problem }
    };
    let pixels = decode_idx_images(&images.bytes, IMAGE_SIDE).map_err(idx_error(images))?;
    let count = pixels.len() / IMAGE_PIXELS;
    if count > MAX_IMAGES {
        return Err(DatasetError::TooMany(count));
    }
    let mut notes = Vec::new();
    let (labels, classes) = match labels {
        Some(file) => {
            let labels = decode_idx_labels(&file.bytes).map_err(idx_error(file))?;
            if labels.len() != count {
                return Err(DatasetError::CountMismatch {
                    images: count,
                    labels: labels.len(),
                });
            }
            let mut names: Vec<u8> = labels.clone();
            names.sort_unstable();
            names.dedup();
            if names.len() > MAX_CLASSES {
                notes.push(format!(
                    "The labels name {} classes, more than the {MAX_CLASSES} the models handle: the images are used \
                     without labels.",
                    names.len()
                ));
                (vec![0; count], Vec::new())
            } else if names.iter().all(|&l| l < 10) {
                (labels, digit_names())
            } else {
                // Labels beyond 9 (EMNIST letters start at 1): renumbered in order.
                let renumbered = labels
                    .iter()
                    .map(|l| names.iter().position(|n| n == l).unwrap_or(0) as u8)
                    .collect();
                (renumbered, names.iter().map(u8::to_string).collect())
            }
        }
        None => {
            notes.push("No labels file: the images are used without labels.".into());
            (vec![0; count], Vec::new())
        }
    };
    Ok(Dataset {
        name: dataset_name(images.name()),
        split: Arc::new(MnistSplit::from_bytes(&pixels, &labels)?),
        classes,
        notes,
    })
}

/// `train-images-idx3-ubyte.gz` → `train-images-idx3-ubyte`.
fn dataset_name(file_name: &str) -> String {
    let name = file_name.strip_suffix(".gz").unwrap_or(file_name);
    name.strip_suffix(".idx").unwrap_or(name).chars().take(64).collect()
}

/// PNG/JPEG images on their way to a dataset, decoded a slice at a time so the page can paint,
/// show progress and offer a Cancel between slices. Holds only the 28x28 results, so memory
/// stays at one source image beyond them.
pub struct ImageDecoding<'a> {
    files: Vec<&'a UserFile>,
    /// Each file's pixels, from its header.
    sizes: Vec<u64>,
    /// 784 bytes per image decoded so far.
    pixels: Vec<u8>,
    resized: usize,
}

impl<'a> ImageDecoding<'a> {
    /// Checks each header's format and size, the count, and the pixels in all, decoding nothing.
    fn new(files: Vec<&'a UserFile>) -> Result<Self, DatasetError> {
        if files.len() > MAX_IMAGES {
            return Err(DatasetError::TooMany(files.len()));
        }
        // A broken or oversized file is named first, then the count and the budget.
        let sizes = files.iter().map(|f| header_pixels(f)).collect::<Result<Vec<_>, _>>()?;
        if files.len() < MIN_IMAGES {
            return Err(MnistError::TooFew(files.len()).into());
        }
        let pixels: u64 = sizes.iter().sum();
        if pixels > MAX_SOURCE_PIXELS {
            return Err(DatasetError::TooManyPixels {
                count: files.len(),
                pixels,
            });
        }
        Ok(Self {
            pixels: Vec::with_capacity(files.len() * IMAGE_PIXELS),
            files,
            sizes,
            resized: 0,
        })
    }

    /// Decodes the next images, at least one, until about `pixel_budget` source pixels are done.
    pub fn decode_next(&mut self, pixel_budget: u64) -> Result<(), DatasetError> {
        let mut spent = 0u64;
        while !self.is_done() && (spent == 0 || spent < pixel_budget) {
            let index = self.decoded();
            let (image, was_resized) = decode_image(self.files[index])?;
            self.resized += usize::from(was_resized);
            self.pixels.extend(image);
            spent = spent.saturating_add(self.sizes[index]);
        }
        Ok(())
    }

    /// Images decoded so far.
    pub fn decoded(&self) -> usize {
        self.pixels.len() / IMAGE_PIXELS
    }

    /// Images in all.
    pub fn total(&self) -> usize {
        self.files.len()
    }

    /// Whether every image is decoded.
    pub fn is_done(&self) -> bool {
        self.decoded() == self.total()
    }

    /// The dataset, once every image is decoded: shuffled (with a fixed seed) so that the
    /// held-out tenth holds every class.
    pub fn finish(self) -> Result<Dataset, DatasetError> {
        assert!(self.is_done(), "ImageDecoding::finish before every image is decoded");
        let files = self.files;
        let mut notes = Vec::new();
        if self.resized > 0 {
            notes.push(format!(
                "{} images were not 28x28: their ink was scaled to 20 pixels and centred, as MNIST's digits were.",
                self.resized
            ));
        }
        let names: Vec<Option<String>> = files.iter().map(|f| label_of(&f.path)).collect();
        let (labels, classes) = classes_of(&names, &mut notes);
        let mut order: Vec<usize> = (0..files.len()).collect();
        order.shuffle(&mut StdRng::seed_from_u64(0));
        let pixels = &self.pixels;
        let shuffled_pixels: Vec<u8> = order
            .iter()
            .flat_map(|&i| pixels[i * IMAGE_PIXELS..(i + 1) * IMAGE_PIXELS].iter().copied())
            .collect();
        let shuffled_labels: Vec<u8> = order.iter().map(|&i| labels[i]).collect();
        let top_folder = files
            .first()
            .and_then(|f| f.path.split_once('/'))
            .map(|(folder, _)| folder.to_string());
        Ok(Dataset {
            name: top_folder
                .unwrap_or_else(|| format!("{} images", files.len()))
                .chars()
                .take(64)
                .collect(),
            split: Arc::new(MnistSplit::from_bytes(&shuffled_pixels, &shuffled_labels)?),
            classes,
            notes,
        })
    }
}

/// The class names of the ten digits, "0" to "9", indexed by their label.
fn digit_names() -> Vec<String> {
    (0..10).map(|d| d.to_string()).collect()
}

/// Whether a class name is one digit, "0" to "9".
fn is_digit_name(name: &str) -> bool {
    name.len() == 1 && name.as_bytes()[0].is_ascii_digit()
}

/// The decoder's limits on one image: [`MAX_IMAGE_SIDE`] each way.
fn image_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits
}

/// An image file's reader, its format guessed from its first bytes and its limits set.
fn image_reader(file: &UserFile) -> Result<ImageReader<Cursor<&[u8]>>, DatasetError> {
    let mut reader = ImageReader::new(Cursor::new(file.bytes.as_slice()))
        .with_guessed_format()
        .map_err(|e| bad_image(file, e.to_string()))?;
    reader.limits(image_limits());
    Ok(reader)
}

fn bad_image(file: &UserFile, reason: String) -> DatasetError {
    DatasetError::BadImage {
        file: file.name().into(),
        reason,
    }
}

/// An image file's pixels, from its header alone (refused past [`MAX_IMAGE_SIDE`]).
fn header_pixels(file: &UserFile) -> Result<u64, DatasetError> {
    let (width, height) = image_reader(file)?
        .into_dimensions()
        .map_err(|e| bad_image(file, e.to_string()))?;
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(bad_image(
            file,
            format!("{width}x{height} pixels, more than {MAX_IMAGE_SIDE} on a side"),
        ));
    }
    Ok(u64::from(width) * u64::from(height))
}

/// An image file as a 28x28 MNIST-style image (pixel bytes, light ink on dark), and whether
/// it had to be resized.
fn decode_image(file: &UserFile) -> Result<(Vec<u8>, bool), DatasetError> {
    let bad = |reason: String| bad_image(file, reason);
    let reader = image_reader(file)?;
    let gray = reader.decode().map_err(|e| bad(e.to_string()))?.to_luma8();
    let (width, height) = (gray.width() as usize, gray.height() as usize);
    let mut values: Vec<f32> = gray.as_raw().iter().map(|&p| f32::from(p) / 255.0).collect();
    // MNIST is light ink on a dark ground: a light border means dark ink, so invert.
    let border: Vec<f32> = (0..width * height)
        .filter(|i| i % width == 0 || i % width == width - 1 || i / width == 0 || i / width == height - 1)
        .map(|i| values[i])
        .collect();
    if border.iter().sum::<f32>() / border.len().max(1) as f32 > 0.5 {
        values.iter_mut().for_each(|v| *v = 1.0 - *v);
    }
    let to_bytes = |v: &[f32]| v.iter().map(|&p| intensity_byte(p)).collect();
    if width == IMAGE_SIDE && height == IMAGE_SIDE {
        return Ok((to_bytes(&values), false));
    }
    // NIST's forms, from which MNIST was made, were black and white: faint ground (paper
    // texture, JPEG ringing) is cleared so it does not count as ink when the ink is boxed.
    values.iter_mut().filter(|v| **v < FAINT).for_each(|v| *v = 0.0);
    let digit = mnist_style(&values, width, height).ok_or_else(|| DatasetError::Blank(file.name().into()))?;
    Ok((to_bytes(&digit), true))
}

/// The class name a path gives: its folder's name, else its file name's prefix before `_`
/// or `-`.
fn label_of(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = path.split('/').collect();
    let file = parts.pop()?;
    // A picked folder's own name is the dataset's; a class folder lies below it.
    if parts.len() >= 2 {
        return parts.last().map(|s| s.to_string());
    }
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    stem.split_once(['_', '-'])
        .map(|(prefix, _)| prefix.to_string())
        .filter(|p| !p.is_empty())
}

/// Labels and class names from each image's class name. Digit names keep their value; other
/// names are numbered in sorted order. Without a name for every image, or with more than
/// [`MAX_CLASSES`], the images are used without labels and `notes` says why.
fn classes_of(names: &[Option<String>], notes: &mut Vec<String>) -> (Vec<u8>, Vec<String>) {
    let unlabelled = |notes: &mut Vec<String>, why: String| {
        notes.push(why);
        (vec![0; names.len()], Vec::new())
    };
    let Some(names) = names.iter().cloned().collect::<Option<Vec<String>>>() else {
        return unlabelled(
            notes,
            "Not every image has a label (a class folder, or a prefix such as 3_001.png): the images are used \
             without labels."
                .into(),
        );
    };
    let mut classes = names.clone();
    classes.sort();
    classes.dedup();
    if classes.len() > MAX_CLASSES {
        return unlabelled(
            notes,
            format!(
                "The images name {} classes, more than the {MAX_CLASSES} the models handle: they are used without labels.",
                classes.len()
            ),
        );
    }
    if classes.iter().all(|c| is_digit_name(c)) {
        let labels = names.iter().map(|n| n.as_bytes()[0] - b'0').collect();
        return (labels, digit_names());
    }
    let labels = names
        .iter()
        .map(|n| classes.iter().position(|c| c == n).unwrap_or(0) as u8)
        .collect();
    (labels, classes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_folders_or_prefixes() {
        assert_eq!(label_of("digits/7/a.png").as_deref(), Some("7"));
        assert_eq!(label_of("set/shoes/deep/a.png").as_deref(), Some("deep"));
        assert_eq!(label_of("digits/a.png"), None);
        assert_eq!(label_of("3_001.png").as_deref(), Some("3"));
        assert_eq!(label_of("shoe-12.jpg").as_deref(), Some("shoe"));
        assert_eq!(label_of("plain.png"), None);
    }

    #[test]
    fn class_names_become_labels() {
        let mut notes = Vec::new();
        let names = ["7", "3", "7"].map(|s| Some(s.to_string()));
        assert_eq!(classes_of(&names, &mut notes).0, vec![7, 3, 7]);
        let names = ["shoe", "bag", "shoe"].map(|s| Some(s.to_string()));
        let (labels, classes) = classes_of(&names, &mut notes);
        assert_eq!(
            (labels, classes),
            (vec![1, 0, 1], vec!["bag".to_string(), "shoe".to_string()])
        );
        assert!(notes.is_empty());
        let (labels, classes) = classes_of(&[Some("a".into()), None], &mut notes);
        assert_eq!((labels, classes.len()), (vec![0, 0], 0));
        assert_eq!(notes.len(), 1);
    }
}
