//! `ht`: hand tracking, the residuals between measured points and the points of a skinned
//! hand model posed by 26 parameters, and their Jacobian. Written as
//! `cpp/gradbench/evals/ht.hpp` (after ADBench's `hand_light_matrix.h`) writes it: the
//! helpers `angle_axis_to_rotation_matrix`, `apply_global_transform`,
//! `relatives_to_absolutes`, `euler_angles_to_rotation_matrix`, `get_posed_relatives`,
//! `get_skinned_vertex_positions`, `to_pose_params`, `mat_mult`, and both `objective`s (the
//! simple one, a model vertex per point, and the complicated one, a point on a triangle at
//! barycentric coordinates `us`).
//!
//! Every matrix is flat and column-major, as `LightMatrix` stores it: `m[col * nrows + row]`
//! where the C++ writes `m(row, col)`, a list of 4×4 matrices one after the other (16 floats
//! each), and `mat_mult` takes the left factor's row count where the C++ reads `nrows_`.
//! (chainrule's `&mut` outputs are slices of floats, not of rows (`&mut [[F; 4]]`), so the
//! helpers that write matrices cannot take `[[F; 4]]`s.) The model is passed to the functions field by field, as `#[no_grad]`
//! slices: chainrule does not lend a field of a `#[no_grad]` struct to a call.
//!
//! The Jacobian is by vector forward mode: the objective run once on `Dual<f64, K>`, its
//! lanes the 26 parameters, and for the complicated variant two lanes before them seeded
//! with every point's `us[i][0]` and `us[i][1]` (each residual depends on its own point's
//! coordinates only, so those lanes give the Jacobian's first two columns, as GradBench's
//! tools compute them). The model is converted to constant duals once, before the runs.

// Index loops are the loops the reference is written with; the model is passed field by field.
#![allow(clippy::needless_range_loop, clippy::too_many_arguments)]

use crate::json::{Json, Result, ToJson};
use crate::task::{Boxed, into_buffer};
use chainrule::dual::Dual;
use chainrule::prelude::*;

/// `sqnorm` of `matrix.h`.
#[differentiable]
pub fn sqnorm<F: Float>(x: &[F]) -> F {
    let mut res = x[0] * x[0];
    for i in 1..x.len() {
        res += x[i] * x[i];
    }
    res
}

/// `out = lhs rhs`, for `lhs` of `lhs_nrows` rows.
#[differentiable]
pub fn mat_mult<F: Float>(lhs: &[F], rhs: &[F], #[no_grad] lhs_nrows: usize, out: &mut [F]) {
    let lhs_ncols = lhs.len() / lhs_nrows;
    let rhs_ncols = rhs.len() / lhs_ncols;
    for i in 0..lhs_nrows {
        for k in 0..rhs_ncols {
            out[k * lhs_nrows + i] = lhs[i] * rhs[k * lhs_ncols];
            for j in 1..lhs_ncols {
                out[k * lhs_nrows + i] += lhs[j * lhs_nrows + i] * rhs[k * lhs_ncols + j];
            }
        }
    }
}

/// The 3×3 rotation `r` by `angle_axis` (Rodrigues' formula).
#[differentiable]
pub fn angle_axis_to_rotation_matrix<F: Float>(angle_axis: &[F], r: &mut [F]) {
    let norm = sqnorm(angle_axis).sqrt();
    if norm < F::from_f64(0.0001) {
        // set_identity
        for i_col in 0..3 {
            for i_row in 0..3 {
                r[i_col * 3 + i_row] = if i_col == i_row { F::ONE } else { F::ZERO };
            }
        }
        return;
    }

    let x = angle_axis[0] / norm;
    let y = angle_axis[1] / norm;
    let z = angle_axis[2] / norm;

    let s = norm.sin();
    let c = norm.cos();

    r[0] = x * x + (F::ONE - x * x) * c; // R(0, 0)
    r[3] = x * y * (F::ONE - c) - z * s; // R(0, 1)
    r[6] = x * z * (F::ONE - c) + y * s; // R(0, 2)
    r[1] = x * y * (F::ONE - c) + z * s; // R(1, 0)
    r[4] = y * y + (F::ONE - y * y) * c; // R(1, 1)
    r[7] = y * z * (F::ONE - c) - x * s; // R(1, 2)
    r[2] = x * z * (F::ONE - c) - y * s; // R(2, 0)
    r[5] = z * y * (F::ONE - c) + x * s; // R(2, 1)
    r[8] = z * z + (F::ONE - z * z) * c; // R(2, 2)
}

/// `positions` (3 × vertices) rotated by column 0 of `pose_params`, scaled by column 1 and
/// translated by column 2.
#[differentiable]
pub fn apply_global_transform<F: Float>(pose_params: &[F], positions: &mut [F]) {
    let mut r = [F::ZERO; 9];
    angle_axis_to_rotation_matrix(&pose_params[0..3], &mut r);

    for i in 0..3 {
        // R.scale_col(i, pose_params(i, 1))
        for j in 0..3 {
            r[i * 3 + j] *= pose_params[3 + i];
        }
    }

    let mut tmp = vec![F::ZERO; positions.len()];
    // `&positions[..]`: chainrule refuses an `&mut` parameter lent whole to a call for reading.
    mat_mult(&r, &positions[..], 3, &mut tmp);
    for j in 0..positions.len() / 3 {
        for i in 0..3 {
            positions[j * 3 + i] = tmp[j * 3 + i] + pose_params[2 * 3 + i];
        }
    }
}

/// Each bone's transform relative to the root, from those relative to its parent.
#[differentiable]
pub fn relatives_to_absolutes<F: Float>(relatives: &[F], #[no_grad] parents: &[i32], absolutes: &mut [F]) {
    for i in 0..parents.len() {
        if parents[i] == -1 {
            for k in 0..16 {
                absolutes[16 * i + k] = relatives[16 * i + k];
            }
        } else {
            // Rust's borrows do not lend `absolutes` for reading (the parent's) and for
            // writing (this bone's) at once, so the parent's is copied first.
            let p = parents[i] as usize;
            let mut parent = [F::ZERO; 16];
            for k in 0..16 {
                parent[k] = absolutes[16 * p + k];
            }
            mat_mult(&parent, &relatives[16 * i..16 * i + 16], 4, &mut absolutes[16 * i..16 * i + 16]);
        }
    }
}

/// The 3×3 rotation `r` by the Euler angles `xzy` (about x, then y, then z).
#[differentiable]
pub fn euler_angles_to_rotation_matrix<F: Float>(xzy: &[F], r: &mut [F]) {
    let tx = xzy[0];
    let ty = xzy[2];
    let tz = xzy[1];
    let mut rx = [F::ZERO; 9];
    let mut ry = [F::ZERO; 9];
    let mut rz = [F::ZERO; 9];
    for i in 0..3 {
        rx[i * 3 + i] = F::ONE;
        ry[i * 3 + i] = F::ONE;
        rz[i * 3 + i] = F::ONE;
    }
    rx[4] = tx.cos(); // Rx(1, 1)
    rx[5] = tx.sin(); // Rx(2, 1)
    rx[7] = -rx[5]; // Rx(1, 2)
    rx[8] = rx[4]; // Rx(2, 2)

    ry[0] = ty.cos(); // Ry(0, 0)
    ry[6] = ty.sin(); // Ry(0, 2)
    ry[2] = -ry[6]; // Ry(2, 0)
    ry[8] = ry[0]; // Ry(2, 2)

    rz[0] = tz.cos(); // Rz(0, 0)
    rz[1] = tz.sin(); // Rz(1, 0)
    rz[3] = -rz[1]; // Rz(0, 1)
    rz[4] = rz[0]; // Rz(1, 1)

    let mut tmp = [F::ZERO; 9];
    mat_mult(&rz, &ry, 3, &mut tmp);
    mat_mult(&tmp, &rx, 3, r);
}

/// Each bone's base transform relative to its parent, posed by its Euler angles (column
/// `i + 3` of `pose_params`).
#[differentiable]
pub fn get_posed_relatives<F: Float>(#[no_grad] base_relatives: &[F], pose_params: &[F], relatives: &mut [F]) {
    let offset = 3;
    for i in 0..base_relatives.len() / 16 {
        let mut tr = [F::ZERO; 16];
        for j in 0..4 {
            tr[j * 4 + j] = F::ONE;
        }

        let mut r = [F::ZERO; 9];
        euler_angles_to_rotation_matrix(&pose_params[(i + offset) * 3..(i + offset) * 3 + 3], &mut r);
        // tr.set_block(0, 0, R)
        for i_col in 0..3 {
            for i_row in 0..3 {
                tr[i_col * 4 + i_row] = r[i_col * 3 + i_row];
            }
        }

        mat_mult(&base_relatives[16 * i..16 * i + 16], &tr, 4, &mut relatives[16 * i..16 * i + 16]);
    }
}

/// The posed model's vertices (3 × vertices): each base position moved by every bone's
/// transform, weighted.
#[differentiable]
pub fn get_skinned_vertex_positions<F: Float>(
    #[no_grad] parents: &[i32],
    #[no_grad] base_relatives: &[F],
    #[no_grad] inverse_base_absolutes: &[F],
    #[no_grad] base_positions: &[F],
    #[no_grad] weights: &[F],
    #[no_grad] is_mirrored: bool,
    pose_params: &[F],
    positions: &mut [F],
    #[no_grad] apply_global: bool,
) {
    let n_bones = parents.len();
    let mut relatives = vec![F::ZERO; 16 * n_bones];
    let mut absolutes = vec![F::ZERO; 16 * n_bones];
    let mut transforms = vec![F::ZERO; 16 * n_bones];
    get_posed_relatives(base_relatives, pose_params, &mut relatives);
    relatives_to_absolutes(&relatives, parents, &mut absolutes);

    // Get bone transforms.
    for i in 0..n_bones {
        mat_mult(
            &absolutes[16 * i..16 * i + 16],
            &inverse_base_absolutes[16 * i..16 * i + 16],
            4,
            &mut transforms[16 * i..16 * i + 16],
        );
    }

    // Transform vertices by necessary transforms. + apply skinning
    let n_verts = base_positions.len() / 4;
    for k in 0..3 * n_verts {
        positions[k] = F::ZERO;
    }
    let mut curr_positions = vec![F::ZERO; 4 * n_verts];
    for i_bone in 0..n_bones {
        mat_mult(&transforms[16 * i_bone..16 * i_bone + 16], base_positions, 4, &mut curr_positions);
        for i_vert in 0..n_verts {
            for i in 0..3 {
                let change = curr_positions[i_vert * 4 + i] * weights[i_vert * n_bones + i_bone];
                positions[i_vert * 3 + i] += change;
            }
        }
    }

    if is_mirrored {
        // positions.scale_row(0, -1)
        for i_vert in 0..n_verts {
            positions[i_vert * 3] *= -F::ONE;
        }
    }

    if apply_global {
        apply_global_transform(pose_params, positions);
    }
}

/// The pose parameters (3 × (bones + 3)) of `theta`: the global rotation, scale (one) and
/// translation, then each bone's Euler angles: two of `theta` for a finger's first joint,
/// one for its other two, none for the wrist and the fingertips.
#[differentiable]
pub fn to_pose_params<F: Float>(theta: &[F], #[no_grad] bone_names: &[String], pose_params: &mut [F]) {
    for k in 0..3 * (bone_names.len() + 3) {
        pose_params[k] = F::ZERO;
    }

    for j in 0..3 {
        pose_params[j] = theta[j];
        pose_params[3 + j] = F::ONE;
        pose_params[6 + j] = theta[3 + j];
    }

    let mut i_theta = 6;
    let mut i_pose_params = 5;
    let n_fingers = 5;
    for _i_finger in 0..n_fingers {
        for i in 2..=4 {
            pose_params[i_pose_params * 3] = theta[i_theta];
            i_theta += 1;
            if i == 2 {
                pose_params[i_pose_params * 3 + 1] = theta[i_theta];
                i_theta += 1;
            }
            i_pose_params += 1;
        }
        i_pose_params += 1;
    }
}

/// The simple variant: `err` is each point minus its corresponding vertex.
#[differentiable]
pub fn objective<F: Float>(
    theta: &[F],
    #[no_grad] bone_names: &[String],
    #[no_grad] parents: &[i32],
    #[no_grad] base_relatives: &[F],
    #[no_grad] inverse_base_absolutes: &[F],
    #[no_grad] base_positions: &[F],
    #[no_grad] weights: &[F],
    #[no_grad] is_mirrored: bool,
    #[no_grad] correspondences: &[usize],
    #[no_grad] points: &[F],
    err: &mut [F],
) {
    let mut pose_params = vec![F::ZERO; 3 * (bone_names.len() + 3)];
    to_pose_params(theta, bone_names, &mut pose_params);

    let mut vertex_positions = vec![F::ZERO; 3 * (base_positions.len() / 4)];
    get_skinned_vertex_positions(
        parents,
        base_relatives,
        inverse_base_absolutes,
        base_positions,
        weights,
        is_mirrored,
        &pose_params,
        &mut vertex_positions,
        true,
    );

    for i in 0..correspondences.len() {
        for j in 0..3 {
            err[i * 3 + j] = points[i * 3 + j] - vertex_positions[correspondences[i] * 3 + j];
        }
    }
}

/// The complicated variant: `err` is each point minus the point of barycentric coordinates
/// `us[2i]`, `us[2i + 1]` on its corresponding triangle.
#[differentiable]
pub fn objective_us<F: Float>(
    theta: &[F],
    us: &[F],
    #[no_grad] bone_names: &[String],
    #[no_grad] parents: &[i32],
    #[no_grad] base_relatives: &[F],
    #[no_grad] inverse_base_absolutes: &[F],
    #[no_grad] base_positions: &[F],
    #[no_grad] weights: &[F],
    #[no_grad] triangles: &[usize],
    #[no_grad] is_mirrored: bool,
    #[no_grad] correspondences: &[usize],
    #[no_grad] points: &[F],
    err: &mut [F],
) {
    let mut pose_params = vec![F::ZERO; 3 * (bone_names.len() + 3)];
    to_pose_params(theta, bone_names, &mut pose_params);

    let mut vertex_positions = vec![F::ZERO; 3 * (base_positions.len() / 4)];
    get_skinned_vertex_positions(
        parents,
        base_relatives,
        inverse_base_absolutes,
        base_positions,
        weights,
        is_mirrored,
        &pose_params,
        &mut vertex_positions,
        true,
    );

    for i in 0..correspondences.len() {
        // The reference binds `verts` and `u = &us[2 * i]`; chainrule takes sub-slices as
        // call arguments only, so their elements are read where they are used.
        let verts = 3 * correspondences[i];
        for j in 0..3 {
            let hand_point_coord = us[2 * i] * vertex_positions[triangles[verts] * 3 + j]
                + us[2 * i + 1] * vertex_positions[triangles[verts + 1] * 3 + j]
                + (F::ONE - us[2 * i] - us[2 * i + 1]) * vertex_positions[triangles[verts + 2] * 3 + j];

            err[i * 3 + j] = points[i * 3 + j] - hand_point_coord;
        }
    }
}

/// The model (`ModelLightMatrix`), its matrices flat and column-major.
struct Model<T> {
    bone_names: Vec<String>,
    /// Each bone's parent, earlier in the order of bones, or −1.
    parents: Vec<i32>,
    /// 4×4 per bone.
    base_relatives: Vec<T>,
    /// 4×4 per bone.
    inverse_base_absolutes: Vec<T>,
    /// 4 × vertices (homogeneous positions).
    base_positions: Vec<T>,
    /// bones × vertices.
    weights: Vec<T>,
    /// 3 vertices per triangle.
    triangles: Vec<usize>,
    is_mirrored: bool,
}

/// The model and the measurements (`DataLightMatrix`).
struct Data<T> {
    model: Model<T>,
    correspondences: Vec<usize>,
    /// 3 × points.
    points: Vec<T>,
}

impl Data<f64> {
    /// The same data in another float type (constant duals for the Jacobian).
    fn to<T: Float>(&self) -> Data<T> {
        let f = |v: &[f64]| v.iter().map(|&x| T::from_f64(x)).collect::<Vec<T>>();
        let m = &self.model;
        Data {
            model: Model {
                bone_names: m.bone_names.clone(),
                parents: m.parents.clone(),
                base_relatives: f(&m.base_relatives),
                inverse_base_absolutes: f(&m.inverse_base_absolutes),
                base_positions: f(&m.base_positions),
                weights: f(&m.weights),
                triangles: m.triangles.clone(),
                is_mirrored: m.is_mirrored,
            },
            correspondences: self.correspondences.clone(),
            points: f(&self.points),
        }
    }
}

/// The objective `Objective::compute` runs: the complicated one when there are `us`.
fn run<T: Float>(theta: &[T], us: &[T], data: &Data<T>, err: &mut [T]) {
    let m = &data.model;
    if us.is_empty() {
        objective(
            theta,
            &m.bone_names,
            &m.parents,
            &m.base_relatives,
            &m.inverse_base_absolutes,
            &m.base_positions,
            &m.weights,
            m.is_mirrored,
            &data.correspondences,
            &data.points,
            err,
        );
    } else {
        objective_us(
            theta,
            us,
            &m.bone_names,
            &m.parents,
            &m.base_relatives,
            &m.inverse_base_absolutes,
            &m.base_positions,
            &m.weights,
            &m.triangles,
            m.is_mirrored,
            &data.correspondences,
            &data.points,
            err,
        );
    }
}

struct Input {
    theta: Vec<f64>,
    /// Two per point, or none (the simple variant).
    us: Vec<f64>,
    data: Data<f64>,
}

/// 4×4 matrices given row by row (`[i][row][col]`), flat and column-major: `from_json`'s
/// `to_light_matrix` then `transpose_in_place`.
fn matrices(json: &Json, name: &str) -> Result<Vec<f64>> {
    let mut out = Vec::new();
    for m in json.arr()? {
        let rows = m.rows()?;
        if rows.len() != 4 || rows.iter().any(|r| r.len() != 4) {
            return Err(format!("ht: `{name}` must hold 4×4 matrices"));
        }
        for col in 0..4 {
            out.extend(rows.iter().map(|row| row[col]));
        }
    }
    Ok(out)
}

/// Rows of `n` numbers each, one after the other: the columns of a column-major matrix.
fn columns(json: &Json, n: usize, name: &str) -> Result<Vec<f64>> {
    let rows = json.rows()?;
    if rows.iter().any(|r| r.len() != n) {
        return Err(format!("ht: each row of `{name}` must have {n} numbers"));
    }
    Ok(rows.concat())
}

fn parse(input: &Json) -> Result<Input> {
    let (data, model) = (input.get("data")?, input.get("data")?.get("model")?);
    let bone_names =
        model.get("bone_names")?.arr()?.iter().map(|s| s.str().map(str::to_string)).collect::<Result<Vec<_>>>()?;
    let n_bones = bone_names.len();
    let parents = model.get("parents")?.floats()?.into_iter().map(|p| p as i32).collect::<Vec<_>>();
    let base_positions = columns(model.get("base_positions")?, 4, "base_positions")?;
    let n_verts = base_positions.len() / 4;
    let triangles = model.get("triangles")?.arr()?.iter().map(Json::counts).collect::<Result<Vec<_>>>()?;
    let is_mirrored = match model.get("is_mirrored")? {
        Json::Bool(b) => *b,
        _ => return Err("ht: `is_mirrored` must be a boolean".into()),
    };
    let p = Input {
        theta: input.get("theta")?.floats()?,
        us: columns(input.get("us")?, 2, "us")?,
        data: Data {
            model: Model {
                parents,
                base_relatives: matrices(model.get("base_relatives")?, "base_relatives")?,
                inverse_base_absolutes: matrices(model.get("inverse_base_absolutes")?, "inverse_base_absolutes")?,
                base_positions,
                weights: columns(model.get("weights")?, n_bones, "weights")?,
                triangles: triangles.concat(),
                is_mirrored,
                bone_names,
            },
            correspondences: data.get("correspondences")?.counts()?,
            points: columns(data.get("points")?, 3, "points")?,
        },
    };
    let (m, npts) = (&p.data.model, p.data.correspondences.len());
    let targets = if p.us.is_empty() { n_verts } else { triangles.len() };
    if p.theta.len() != 26
        || m.parents.len() != n_bones
        || m.parents.iter().enumerate().any(|(i, &q)| q != -1 && (q < 0 || q as usize >= i))
        || m.base_relatives.len() != 16 * n_bones
        || m.inverse_base_absolutes.len() != 16 * n_bones
        || m.weights.len() != n_bones * n_verts
        || triangles.iter().any(|t| t.len() != 3 || t.iter().any(|&v| v >= n_verts))
        || p.data.points.len() != 3 * npts
        || !(p.us.is_empty() || p.us.len() == 2 * npts)
        || p.data.correspondences.iter().any(|&c| c >= targets)
    {
        return Err(format!("ht: inconsistent shapes ({n_bones} bones, {n_verts} vertices, {npts} points)"));
    }
    Ok(p)
}

/// The Jacobian, a row of `ncols` numbers per residual, as the eval's `f64[3 npts][ncols]`.
struct Rows(Vec<f64>, usize);

impl ToJson for Rows {
    fn to_json(&self) -> Json {
        Json::Arr(self.0.chunks(self.1).map(ToJson::to_json).collect())
    }
}

/// The Jacobian by one run of the objective on duals of `K` lanes: `K − 26` lanes of `us`
/// (none, or each point's first and second coordinate), then `theta`'s.
fn jacobian<const K: usize>(p: &Input) -> Result<Boxed> {
    let offset = K - p.theta.len();
    let data = p.data.to::<Dual<f64, K>>();
    let (theta, us) = (p.theta.clone(), p.us.clone());
    let mut theta_d = vec![Dual::constant(0.0); theta.len()];
    let mut us_d = vec![Dual::constant(0.0); us.len()];
    let mut err = vec![Dual::constant(0.0); 3 * data.correspondences.len()];
    Ok(into_buffer(Rows(vec![0.0; err.len() * K], K), move |j| {
        for (i, (d, &x)) in theta_d.iter_mut().zip(&theta).enumerate() {
            *d = Dual::variable(x, offset + i);
        }
        for (i, (d, &u)) in us_d.iter_mut().zip(&us).enumerate() {
            *d = Dual::variable(u, i % 2);
        }
        run(&theta_d, &us_d, &data, &mut err);
        for (row, e) in j.0.chunks_exact_mut(K).zip(&err) {
            row.copy_from_slice(&e.eps);
        }
    }))
}

pub fn prepare(function: &str, input: &Json) -> Result<Boxed> {
    let p = parse(input)?;
    match function {
        "objective" => {
            let err = vec![0.0; 3 * p.data.correspondences.len()];
            Ok(into_buffer(err, move |err| run(&p.theta, &p.us, &p.data, err)))
        }
        "jacobian" if p.us.is_empty() => jacobian::<26>(&p),
        "jacobian" => jacobian::<28>(&p),
        _ => Err(super::unknown("ht", function)),
    }
}
