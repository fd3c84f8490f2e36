//! The runtime's data side: the IDX reader on files written here (in memory and on disk), and
//! the generators, batching, initialisers and optimizers working together on a small problem.

use chainrule_runtime::data::{Batches, gather, moons, one_hot, spirals, xor};
use chainrule_runtime::idx::{Idx, IdxData, IdxError, read_idx, read_idx_file};
use chainrule_runtime::init::xavier_uniform;
use chainrule_runtime::optim::{Adam, Optimizer};
use chainrule_runtime::rng::Rng;
use std::error::Error;

/// An IDX file: magic, big-endian dimensions, then `payload` (already big-endian).
fn idx_bytes(type_code: u8, dims: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, type_code, dims.len() as u8];
    for d in dims {
        out.extend(d.to_be_bytes());
    }
    out.extend(payload);
    out
}

fn read(bytes: &[u8]) -> Result<Idx, IdxError> {
    read_idx(bytes)
}

#[test]
fn every_type_code_round_trips() {
    let u8s = [0u8, 1, 128, 255];
    let idx = read(&idx_bytes(0x08, &[2, 2], &u8s)).unwrap();
    assert_eq!((idx.dims.clone(), idx.data.clone()), (vec![2, 2], IdxData::U8(u8s.to_vec())));

    let i8s = [-128i8, -1, 0, 127];
    let payload: Vec<u8> = i8s.iter().flat_map(|x| x.to_be_bytes()).collect();
    assert_eq!(read(&idx_bytes(0x09, &[4], &payload)).unwrap().data, IdxData::I8(i8s.to_vec()));

    let i16s = [-32768i16, -2, 258, 32767];
    let payload: Vec<u8> = i16s.iter().flat_map(|x| x.to_be_bytes()).collect();
    assert_eq!(payload[4..6], [0x01, 0x02], "258 is stored big-endian");
    assert_eq!(read(&idx_bytes(0x0B, &[4, 1], &payload)).unwrap().data, IdxData::I16(i16s.to_vec()));

    let i32s = [i32::MIN, -70000, 70000, i32::MAX];
    let payload: Vec<u8> = i32s.iter().flat_map(|x| x.to_be_bytes()).collect();
    assert_eq!(read(&idx_bytes(0x0C, &[1, 4], &payload)).unwrap().data, IdxData::I32(i32s.to_vec()));

    let f32s = [-1.5f32, 0.0, 3.25, f32::MAX];
    let payload: Vec<u8> = f32s.iter().flat_map(|x| x.to_be_bytes()).collect();
    let idx = read(&idx_bytes(0x0D, &[2, 1, 2], &payload)).unwrap();
    assert_eq!((idx.dims.clone(), idx.data.clone()), (vec![2, 1, 2], IdxData::F32(f32s.to_vec())));
    assert_eq!(idx.to_float::<f64>(), [-1.5, 0.0, 3.25, f32::MAX as f64]);

    let f64s = [std::f64::consts::PI, -1e300];
    let payload: Vec<u8> = f64s.iter().flat_map(|x| x.to_be_bytes()).collect();
    assert_eq!(read(&idx_bytes(0x0E, &[2], &payload)).unwrap().data, IdxData::F64(f64s.to_vec()));
}

#[test]
fn images_scale_to_unit_interval_and_labels_become_indices() {
    let images = read(&idx_bytes(0x08, &[1, 2, 2], &[0, 255, 51, 204])).unwrap();
    assert_eq!(images.len(), 4);
    assert_eq!(images.to_f32_scaled().unwrap(), [0.0, 1.0, 0.2, 0.8]);
    assert_eq!(images.to_scaled::<f64>().unwrap(), [0.0, 1.0, 0.2, 0.8]);

    let labels = read(&idx_bytes(0x08, &[3], &[9, 0, 4])).unwrap();
    assert_eq!(labels.to_labels(), Some(vec![9, 0, 4]));

    // Only bytes have a known range, and only non-negative integers are labels.
    let signed = read(&idx_bytes(0x09, &[2], &[1, 0xFF])).unwrap();
    assert_eq!(signed.to_f32_scaled(), None);
    assert_eq!(signed.to_labels(), None);
    assert_eq!(signed.to_float::<f32>(), [1.0, -1.0]);
}

#[test]
fn empty_and_scalar_shapes() {
    let empty = read(&idx_bytes(0x0D, &[0, 28, 28], &[])).unwrap();
    assert!(empty.is_empty() && empty.dims == [0, 28, 28]);
    // No dimensions: the empty product, one element.
    let scalar = read(&idx_bytes(0x0C, &[], &7i32.to_be_bytes())).unwrap();
    assert_eq!(scalar.data, IdxData::I32(vec![7]));
}

#[test]
fn truncated_header_says_how_much_is_missing() {
    for (bytes, expected, found) in [
        (vec![], 4, 0),
        (vec![0], 4, 1),
        (vec![0, 0, 8], 4, 3),
        // Three dimensions promised (16 header bytes), one and a half given.
        (vec![0, 0, 8, 3, 0, 0, 0, 5, 0, 0], 16, 10),
    ] {
        match read(&bytes) {
            Err(IdxError::TruncatedHeader { expected: e, found: f }) => assert_eq!((e, f), (expected, found)),
            other => panic!("{bytes:?}: expected TruncatedHeader, got {other:?}"),
        }
    }
}

#[test]
fn truncated_data_says_expected_and_found_bytes() {
    // 2 × 3 i16 = 12 bytes; 7 given.
    let err = read(&idx_bytes(0x0B, &[2, 3], &[0; 7])).unwrap_err();
    assert!(matches!(err, IdxError::TruncatedData { expected: 12, found: 7 }), "{err:?}");
    assert_eq!(err.to_string(), "truncated IDX data: expected 12 bytes after the header, found 7");
    // A header claiming about 18 EB of data fails cleanly rather than trying to allocate it.
    let err = read(&idx_bytes(0x08, &[u32::MAX, u32::MAX], &[1, 2, 3])).unwrap_err();
    assert!(matches!(err, IdxError::TruncatedData { found: 3, .. }), "{err:?}");
}

#[test]
fn malformed_files_give_the_right_variant() {
    let err = read(&[0x1f, 0x8b, 8, 0, 0]).unwrap_err();
    assert!(matches!(err, IdxError::BadMagic { found: [0x1f, 0x8b] }));
    assert!(err.to_string().contains("gzip"), "{err}");
    let err = read(b"P5\n28 28\n255\n").unwrap_err();
    assert!(matches!(err, IdxError::BadMagic { found: [b'P', b'5'] }), "{err:?}");

    for code in [0x00, 0x07, 0x0A, 0x0F, 0xFF] {
        let err = read(&idx_bytes(code, &[1], &[0; 8])).unwrap_err();
        assert!(matches!(err, IdxError::UnknownType(c) if c == code), "{err:?}");
    }
    assert!(read(&idx_bytes(0x0A, &[1], &[0])).unwrap_err().to_string().contains("0x0a"));

    // Five dimensions of 2¹⁶ overflow 64-bit element counts; four overflow the byte count of f64s.
    let err = read(&idx_bytes(0x08, &[1 << 16; 5], &[])).unwrap_err();
    assert!(matches!(&err, IdxError::DimensionOverflow { dims } if dims.len() == 5), "{err:?}");
    let err = read(&idx_bytes(0x0E, &[1 << 16; 4], &[])).unwrap_err();
    assert!(matches!(err, IdxError::DimensionOverflow { .. }), "{err:?}");

    // One byte too many: the dimensions do not describe the file.
    let err = read(&idx_bytes(0x08, &[2], &[1, 2, 3])).unwrap_err();
    assert!(matches!(err, IdxError::TrailingData), "{err:?}");
}

#[test]
fn io_errors_are_reported_not_panicked() {
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    let err = read_idx(Failing).unwrap_err();
    assert!(matches!(err, IdxError::Io(_)));
    assert_eq!(err.source().unwrap().to_string(), "disk on fire");
}

#[test]
fn reads_files_from_disk() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("runtime_data_idx");
    std::fs::create_dir_all(&dir).unwrap();

    // A miniature MNIST: three 2×3 images and their labels.
    let pixels: Vec<u8> = (0..18).map(|i| i * 15).collect();
    let images_path = dir.join("images-idx3-ubyte");
    std::fs::write(&images_path, idx_bytes(0x08, &[3, 2, 3], &pixels)).unwrap();
    let labels_path = dir.join("labels-idx1-ubyte");
    std::fs::write(&labels_path, idx_bytes(0x08, &[3], &[7, 1, 7])).unwrap();

    let images = read_idx_file(&images_path).unwrap();
    let labels = read_idx_file(&labels_path).unwrap();
    assert_eq!(images.dims, [3, 2, 3]);
    let x = images.to_f32_scaled().unwrap();
    assert_eq!((x[0], x[17]), (0.0, 1.0));
    assert_eq!(labels.to_labels().unwrap(), [7, 1, 7]);

    let cut_path = dir.join("truncated-idx3-ubyte");
    std::fs::write(&cut_path, &idx_bytes(0x08, &[3, 2, 3], &pixels)[..20]).unwrap();
    let err = read_idx_file(&cut_path).unwrap_err();
    assert!(matches!(err, IdxError::TruncatedData { expected: 18, found: 4 }), "{err:?}");

    let missing = dir.join("does-not-exist");
    let err = read_idx_file(&missing).unwrap_err();
    assert!(matches!(&err, IdxError::Open { path, .. } if *path == missing), "{err:?}");
    assert!(err.to_string().contains("does-not-exist"), "{err}");
}

#[test]
fn xor_spirals_and_one_hot_agree_in_shape() {
    let (x, t) = xor::<f32>();
    assert_eq!((x.len(), t.len()), (8, 4));
    let (points, labels) = spirals::<f64>(40, 4, 0.1, &mut Rng::new(3));
    assert_eq!(points.len(), 2 * labels.len());
    let targets = one_hot::<f64>(&labels, 4);
    for (row, &label) in targets.chunks(4).zip(&labels) {
        assert_eq!(row.iter().sum::<f64>(), 1.0);
        assert_eq!(row[label], 1.0);
    }
}

/// Logistic regression on cubic features of two moons, trained by mini-batch Adam:
/// the generators, batching, gather, initialiser and optimizer used the way a training loop
/// would, with the gradient of the mean cross-entropy written by hand.
#[test]
fn minibatch_adam_separates_the_moons() {
    const WIDTH: usize = 9;
    let mut rng = Rng::new(2024);
    let (points, labels) = moons::<f64>(400, 0.1, &mut rng);
    // All monomials of degree 1 to 3: a cubic boundary can follow the moons' S-shaped gap.
    let features = |p: &[f64]| {
        let (u, v) = (p[0], p[1] - 0.25);
        [u, v, u * u, u * v, v * v, u * u * u, u * u * v, u * v * v, v * v * v]
    };
    let x: Vec<f64> = points.chunks(2).flat_map(features).collect();
    let y: Vec<f64> = labels.iter().map(|&l| l as f64).collect();

    let mut w: Vec<f64> = xavier_uniform(WIDTH, 1, &mut rng);
    let mut b = vec![0.0];
    let mut opt = Adam::new(0.05);
    let mut batches = Batches::new(labels.len(), 32, &mut rng);
    let (mut bx, mut by) = (Vec::new(), Vec::new());
    let (mut dw, mut db) = (vec![0.0; WIDTH], vec![0.0]);
    for _ in 0..60 {
        for batch in &batches {
            gather(&x, WIDTH, batch, &mut bx);
            gather(&y, 1, batch, &mut by);
            dw.fill(0.0);
            db[0] = 0.0;
            for (row, &target) in bx.chunks(WIDTH).zip(&by) {
                let z: f64 = row.iter().zip(&w).map(|(a, c)| a * c).sum::<f64>() + b[0];
                let err = 1.0 / (1.0 + (-z).exp()) - target; // dE/dz of cross-entropy after a sigmoid
                for (d, a) in dw.iter_mut().zip(row) {
                    *d += err * a / batch.len() as f64;
                }
                db[0] += err / batch.len() as f64;
            }
            opt.update(0, &mut w, &dw);
            opt.update(1, &mut b, &db);
        }
        batches.reshuffle(&mut rng);
    }
    let correct = x
        .chunks(WIDTH)
        .zip(&labels)
        .filter(|(row, label)| {
            let z: f64 = row.iter().zip(&w).map(|(a, c)| a * c).sum::<f64>() + b[0];
            (z > 0.0) == (**label == 1)
        })
        .count();
    assert!(correct >= 390, "{correct} of 400 correct");
}
