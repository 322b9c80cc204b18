//! Bringing one's own data: IDX pairs and PNG/JPEG images become datasets split like MNIST, and
//! every broken input is refused with a message that names the file and the problem.

use std::io::{Cursor, Write};

use flate2::{Compression, write::GzEncoder};
use genplay::data::idx::{encode_idx_images, encode_idx_labels};
use genplay::data::user_data::{MAX_IMAGES, MAX_SOURCE_PIXELS};
use genplay::data::{
    DatasetError, IMAGE_PIXELS, Loading, MnistError, MnistSplit, UserFile, load_user_files, start_loading,
};
use image::{GrayImage, ImageFormat, Luma};

fn file(path: &str, bytes: Vec<u8>) -> UserFile {
    UserFile {
        path: path.into(),
        bytes,
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// `count` 28x28 images, image `i` a bar whose position depends on its label `i % classes`.
fn bars(count: usize, classes: u8) -> (Vec<u8>, Vec<u8>) {
    let labels: Vec<u8> = (0..count).map(|i| (i % classes as usize) as u8).collect();
    let pixels = labels
        .iter()
        .flat_map(|&l| (0..IMAGE_PIXELS).map(move |p| if p % 28 == 2 + 2 * l as usize { 255 } else { 0 }))
        .collect();
    (pixels, labels)
}

fn encoded(image: &GrayImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

#[test]
fn a_gzipped_idx_pair_becomes_a_labelled_split_with_a_tenth_held_out() {
    let (pixels, labels) = bars(200, 10);
    let dataset = load_user_files(&[
        file("fashion-images-idx3-ubyte.gz", gzip(&encode_idx_images(&pixels, 28))),
        file("fashion-labels-idx1-ubyte.gz", gzip(&encode_idx_labels(&labels))),
    ])
    .unwrap();
    assert_eq!(dataset.name, "fashion-images-idx3-ubyte");
    assert_eq!((dataset.split.train.len(), dataset.split.held_out.len()), (180, 20));
    assert_eq!(dataset.split.held_out.labels, labels[180..]);
    assert!(dataset.has_digit_classes());
    assert_eq!(
        dataset.summary(),
        "fashion-images-idx3-ubyte: 200 images (20 held out), 10 classes (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)"
    );
    // What the training worker is sent splits back into the very same split.
    let (bytes, labels_back) = dataset.split.to_bytes();
    let again = MnistSplit::from_idx(&encode_idx_images(&bytes, 28), &encode_idx_labels(&labels_back)).unwrap();
    assert_eq!(&again, dataset.split.as_ref());
}

#[test]
fn labels_beyond_the_digits_are_renumbered_or_dropped() {
    let (pixels, labels) = bars(100, 5);
    let shifted: Vec<u8> = labels.iter().map(|l| l + 10).collect();
    let images = file("images.idx", encode_idx_images(&pixels, 28));
    let dataset = load_user_files(&[images.clone(), file("labels.idx", encode_idx_labels(&shifted))]).unwrap();
    assert_eq!(dataset.classes, ["10", "11", "12", "13", "14"]);
    assert_eq!(dataset.split.train.labels[..5], [0, 1, 2, 3, 4]);
    assert!(!dataset.has_digit_classes());

    // EMNIST letters: 26 classes, more than the models handle.
    let letters: Vec<u8> = (0..100).map(|i| 1 + (i % 26) as u8).collect();
    let dataset = load_user_files(&[images.clone(), file("letters.idx", encode_idx_labels(&letters))]).unwrap();
    assert!(!dataset.is_labelled());
    assert!(dataset.notes[0].contains("26 classes"), "{:?}", dataset.notes);

    let alone = load_user_files(&[images]).unwrap();
    assert!(!alone.is_labelled());
    assert!(alone.notes[0].contains("No labels file"));
}

#[test]
fn broken_idx_inputs_are_refused_by_name() {
    let (pixels, labels) = bars(100, 10);
    let images = encode_idx_images(&pixels, 28);
    let refuse = |files: Vec<UserFile>| load_user_files(&files).unwrap_err();

    let mut truncated = images.clone();
    truncated.truncate(5_000);
    let error = refuse(vec![file("cut.idx", truncated)]);
    assert!(matches!(error, DatasetError::Idx { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "cut.idx: images: truncated: 78416 bytes needed, 5000 present"
    );

    let error = refuse(vec![
        file("i.idx", images.clone()),
        file("l.idx", encode_idx_labels(&labels[..99])),
    ]);
    assert_eq!(error.to_string(), "100 images but 99 labels: the files are not a pair");

    let mut large = Vec::new();
    for word in [0x0803u32, 3, 32, 32] {
        large.extend_from_slice(&word.to_be_bytes());
    }
    large.extend(vec![0u8; 3 * 32 * 32]);
    assert_eq!(
        refuse(vec![file("big.idx", large)]).to_string(),
        "big.idx: images are 32x32, expected 28x28"
    );

    assert_eq!(
        refuse(vec![file("notes.txt", b"hello, these are my digits".to_vec())]).to_string(),
        "notes.txt is not an IDX file, nor a PNG or JPEG image"
    );
    assert_eq!(
        refuse(vec![file("l.idx", encode_idx_labels(&labels))]).to_string(),
        "l.idx holds labels only: choose its images file with it"
    );
    assert_eq!(
        refuse(vec![file("a.idx", images.clone()), file("b.idx", images.clone())]).to_string(),
        "a.idx and b.idx are both IDX images files: choose one images file and at most one labels file"
    );
    let png = encoded(&GrayImage::new(28, 28), ImageFormat::Png);
    assert!(matches!(
        refuse(vec![file("a.idx", images), file("x.png", png)]),
        DatasetError::Mixed
    ));
    assert!(matches!(
        refuse(vec![file(".DS_Store", vec![0; 8])]),
        DatasetError::Empty
    ));

    let (few, few_labels) = bars(10, 10);
    let error = refuse(vec![
        file("few.idx", encode_idx_images(&few, 28)),
        file("fl.idx", encode_idx_labels(&few_labels)),
    ]);
    assert_eq!(error, DatasetError::Split(MnistError::TooFew(10)));
    assert_eq!(error.to_string(), "10 images are too few: at least 80 are needed");

    let too_many = encode_idx_images(&vec![0u8; (MAX_IMAGES + 1) * IMAGE_PIXELS], 28);
    assert_eq!(
        refuse(vec![file("huge.idx", too_many)]).to_string(),
        "70001 images are more than the 70000 allowed"
    );
}

#[test]
fn images_in_class_folders_become_a_labelled_shuffled_split() {
    let files: Vec<UserFile> = (0..100)
        .map(|i| {
            let class = i % 2;
            // Class 0: a vertical bar; class 1: a horizontal one. Light ink on black, 28x28.
            let image = GrayImage::from_fn(28, 28, |x, y| {
                let on = if class == 0 { x == 14 } else { y == 14 };
                Luma([if on { 255 } else { 0 }])
            });
            file(&format!("strokes/{class}/{i}.png"), encoded(&image, ImageFormat::Png))
        })
        .collect();
    let dataset = load_user_files(&files).unwrap();
    assert_eq!(dataset.name, "strokes");
    assert_eq!(dataset.classes.len(), 10, "digit folder names keep their digit values");
    assert_eq!(dataset.split.held_out.len(), 10);
    let held: Vec<u8> = dataset.split.held_out.labels.clone();
    assert!(
        held.contains(&0) && held.contains(&1),
        "shuffled before the split: {held:?}"
    );
    // Every image kept its own label: a class-0 image has its ink in column 14.
    let digits = &dataset.split.train;
    for (index, &label) in digits.labels.iter().enumerate() {
        let image = &digits.pixels[index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS];
        let column_14 = (0..28).all(|y| image[y * 28 + 14] > 0.99);
        assert_eq!(column_14, label == 0, "image {index}");
    }
    assert!(dataset.notes.is_empty(), "{:?}", dataset.notes);
}

#[test]
fn larger_dark_on_light_images_are_inverted_resized_and_centred() {
    let files: Vec<UserFile> = (0..80)
        .map(|i| {
            // Dark ink (a 10x30 block) off-centre on a white 100x100 page, as a scan would be.
            let image = GrayImage::from_fn(100, 100, |x, y| {
                Luma([if (10..20).contains(&x) && (5..35).contains(&y) {
                    20
                } else {
                    250
                }])
            });
            let name = if i % 2 == 0 {
                format!("pen-{i}.jpg")
            } else {
                format!("pencil_{i}.jpg")
            };
            file(&name, encoded(&image, ImageFormat::Jpeg))
        })
        .collect();
    let dataset = load_user_files(&files).unwrap();
    assert_eq!(dataset.classes, ["pen", "pencil"]);
    assert!(dataset.notes[0].starts_with("80 images were not 28x28"));
    let image = &dataset.split.train.pixels[..IMAGE_PIXELS];
    let ink = |x: usize, y: usize| image[y * 28 + x];
    assert!(ink(14, 14) > 0.8, "the ink is light and centred: {}", ink(14, 14));
    assert!(ink(0, 0) < 0.1 && ink(27, 27) < 0.1, "the ground is dark");
    let rows_with_ink = (0..28).filter(|&y| (0..28).any(|x| ink(x, y) > 0.5)).count();
    assert!(
        (19..=21).contains(&rows_with_ink),
        "the longer side is 20 pixels: {rows_with_ink}"
    );
}

#[test]
fn broken_images_are_refused_by_name() {
    let good = encoded(&GrayImage::from_pixel(28, 28, Luma([0])), ImageFormat::Png);
    let mut cut = good.clone();
    cut.truncate(30);
    let error = load_user_files(&[file("good.png", good), file("cut.png", cut)]).unwrap_err();
    assert!(
        matches!(&error, DatasetError::BadImage { file, .. } if file == "cut.png"),
        "{error:?}"
    );
    assert!(error.to_string().starts_with("cut.png could not be read as an image: "));

    // Among enough good images, a blank one is named.
    let ink = encoded(
        &GrayImage::from_fn(40, 40, |x, _| Luma([if x == 20 { 255 } else { 0 }])),
        ImageFormat::Png,
    );
    let mut files: Vec<UserFile> = (0..80).map(|i| file(&format!("{i}.png"), ink.clone())).collect();
    let blank = encoded(&GrayImage::from_pixel(40, 40, Luma([0])), ImageFormat::Png);
    files.insert(40, file("blank.png", blank));
    let error = load_user_files(&files).unwrap_err();
    assert_eq!(error.to_string(), "blank.png is blank: it has no ink to centre");
}

#[test]
fn images_past_the_pixel_budget_are_refused_from_their_headers_before_any_is_decoded() {
    // 80 images of 4096x3280 hold just over 2^30 pixels. Every file after the first is cut off
    // after its header: decoding any of them would fail, so the refusal shows that only headers
    // were read.
    let page = encoded(&GrayImage::from_pixel(4096, 3280, Luma([255])), ImageFormat::Png);
    let header_only = page[..64].to_vec();
    let mut files = vec![file("0.png", page)];
    files.extend((1..80).map(|i| file(&format!("{i}.png"), header_only.clone())));
    let error = start_loading(&files).err().expect("refused");
    let pixels = 80 * 4096 * 3280;
    assert!(pixels > MAX_SOURCE_PIXELS && pixels - MAX_SOURCE_PIXELS < 4096 * 3280);
    assert_eq!(error, DatasetError::TooManyPixels { count: 80, pixels });
    assert_eq!(
        error.to_string(),
        "the 80 images hold 1074 megapixels in all, more than the 1073 megapixels decoded at once: choose fewer or smaller images"
    );
    // One image fewer is within the budget, but too few for a dataset: refused before decoding.
    files.pop();
    assert!(matches!(start_loading(&files), Err(DatasetError::Split(_))));
    // An image wider than the side limit is refused by its header too.
    let wide = encoded(&GrayImage::from_pixel(4097, 1, Luma([255])), ImageFormat::Png);
    let error = start_loading(&[file("wide.png", wide)]).err().expect("refused");
    assert!(
        error
            .to_string()
            .starts_with("wide.png could not be read as an image: "),
        "{error}"
    );
}

#[test]
fn images_decoded_a_slice_at_a_time_give_the_same_dataset_as_all_at_once() {
    let files: Vec<UserFile> = (0..90)
        .map(|i| {
            let image = GrayImage::from_fn(40, 40, |x, y| Luma([if x == 5 + i % 20 || y == 30 { 255 } else { 0 }]));
            file(&format!("{}_{i}.png", i % 3), encoded(&image, ImageFormat::Png))
        })
        .collect();
    let Loading::Decoding(mut decoding) = start_loading(&files).unwrap() else {
        panic!("images are decoded in slices")
    };
    assert_eq!((decoding.decoded(), decoding.total()), (0, 90));
    let mut seen = Vec::new();
    while !decoding.is_done() {
        // A budget of 3,000 pixels is two 40x40 images a slice.
        decoding.decode_next(3_000).unwrap();
        seen.push(decoding.decoded());
    }
    assert_eq!(seen, (1..=45).map(|i| 2 * i).collect::<Vec<_>>());
    let sliced = decoding.finish().unwrap();
    let whole = load_user_files(&files).unwrap();
    assert_eq!(sliced.split.train.pixels, whole.split.train.pixels);
    assert_eq!(sliced.split.held_out.labels, whole.split.held_out.labels);
    assert_eq!(sliced.classes, whole.classes);
}
