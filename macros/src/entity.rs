//! Typed indices (Cranelift's entity references): a value, a slot and a block are each
//! named by their own index type, and the tables they index are [`IdVec`]s, so that one
//! kind of index cannot be used for another's table.

use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// An index type: a `u32` that knows what it indexes.
pub trait Id: Copy {
    fn new(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
        pub struct $name(u32);

        impl Id for $name {
            fn new(index: usize) -> Self {
                $name(u32::try_from(index).expect("fewer than 2^32 entities"))
            }
            fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// A single-assignment value of the IR.
    ValueId
);
id!(
    /// A mutable slot: a scalar variable assigned in a branch or loop, or an array.
    SlotId
);
id!(
    /// A block (region) of statements.
    BlockId
);

/// A vector indexed by `K`: the table of entities, or a side table beside it (one entry per
/// entity, built with [`IdVec::filled`] or [`IdVec::map`]).
#[derive(Clone, Debug)]
pub struct IdVec<K, V> {
    items: Vec<V>,
    key: PhantomData<K>,
}

impl<K: Id, V> IdVec<K, V> {
    pub fn new() -> Self {
        IdVec { items: Vec::new(), key: PhantomData }
    }

    /// `len` copies of `value`.
    pub fn filled(len: usize, value: V) -> Self
    where
        V: Clone,
    {
        IdVec { items: vec![value; len], key: PhantomData }
    }

    /// Appends an entity and returns its id.
    pub fn push(&mut self, value: V) -> K {
        self.items.push(value);
        K::new(self.items.len() - 1)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The id the next `push` returns.
    pub fn next_id(&self) -> K {
        K::new(self.items.len())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = K> + use<K, V> {
        (0..self.items.len()).map(K::new)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (K, &V)> {
        self.items.iter().enumerate().map(|(i, v)| (K::new(i), v))
    }

    pub fn values(&self) -> std::slice::Iter<'_, V> {
        self.items.iter()
    }

    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, V> {
        self.items.iter_mut()
    }

    /// A side table with one entry per entity of this one.
    pub fn map<W>(&self, f: impl FnMut(&V) -> W) -> IdVec<K, W> {
        IdVec { items: self.items.iter().map(f).collect(), key: PhantomData }
    }
}

impl<K: Id, V> Default for IdVec<K, V> {
    fn default() -> Self {
        IdVec::new()
    }
}

impl<K: Id, V> Index<K> for IdVec<K, V> {
    type Output = V;
    fn index(&self, k: K) -> &V {
        &self.items[k.index()]
    }
}

impl<K: Id, V> IndexMut<K> for IdVec<K, V> {
    fn index_mut(&mut self, k: K) -> &mut V {
        &mut self.items[k.index()]
    }
}

impl<K: Id, V> FromIterator<V> for IdVec<K, V> {
    fn from_iter<I: IntoIterator<Item = V>>(iter: I) -> Self {
        IdVec { items: iter.into_iter().collect(), key: PhantomData }
    }
}
