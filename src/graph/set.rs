//! [`RevisionSet`]: a set of revisions of one [`Graph`](super::Graph), stored as
//! one flag per index of [`Graph::revisions`](super::Graph::revisions), so that
//! membership tests, inserts and removals are O(1) and a whole-graph walk
//! stays linear.

/// A set of revision indices (indices into [`Graph::revisions`](super::Graph::revisions)).
///
/// It is sized for a graph of `universe` revisions; asking about an index
/// outside that range answers "not a member" instead of panicking, so an
/// applied set built from odd database rows never brings a plan down.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RevisionSet {
    members: Vec<bool>,
    len: usize,
}

impl RevisionSet {
    /// The empty set for a graph of `universe` revisions.
    pub fn empty(universe: usize) -> Self {
        RevisionSet {
            members: vec![false; universe],
            len: 0,
        }
    }

    /// The set of all `universe` revisions.
    pub fn full(universe: usize) -> Self {
        RevisionSet {
            members: vec![true; universe],
            len: universe,
        }
    }

    /// The set for a graph of `universe` revisions holding `indices`; indices
    /// at or beyond `universe` are ignored.
    pub fn with_members(universe: usize, indices: impl IntoIterator<Item = usize>) -> Self {
        let mut set = RevisionSet::empty(universe);
        for index in indices {
            set.insert(index);
        }
        set
    }

    /// The number of revisions of the graph this set is sized for.
    pub fn universe(&self) -> usize {
        self.members.len()
    }

    /// Whether `index` is a member (`false` when it is out of range).
    pub fn contains(&self, index: usize) -> bool {
        self.members.get(index).copied().unwrap_or(false)
    }

    /// Adds `index`; returns whether it was newly added (`false` when it was
    /// already a member or is out of range).
    pub fn insert(&mut self, index: usize) -> bool {
        match self.members.get_mut(index) {
            Some(member) if !*member => {
                *member = true;
                self.len += 1;
                true
            }
            _ => false,
        }
    }

    /// Removes `index`; returns whether it was a member.
    pub fn remove(&mut self, index: usize) -> bool {
        match self.members.get_mut(index) {
            Some(member) if *member => {
                *member = false;
                self.len -= 1;
                true
            }
            _ => false,
        }
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set has no member.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The members in increasing index order (file order, not application
    /// order: see [`Graph::in_order`](super::Graph::in_order) for that).
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.members
            .iter()
            .enumerate()
            .filter_map(|(index, &member)| member.then_some(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_remove_and_count() {
        let mut set = RevisionSet::empty(4);
        assert!(set.is_empty());
        assert!(set.insert(2));
        assert!(!set.insert(2));
        assert!(set.insert(0));
        assert_eq!(set.len(), 2);
        assert_eq!(set.iter().collect::<Vec<_>>(), [0, 2]);
        assert!(set.remove(2));
        assert!(!set.remove(2));
        assert_eq!(set.len(), 1);
        assert_eq!(RevisionSet::full(3).len(), 3);
    }

    #[test]
    fn out_of_range_indices_are_never_members() {
        let mut set = RevisionSet::with_members(2, [0, 1, 7]);
        assert_eq!(set.len(), 2);
        assert!(!set.contains(7));
        assert!(!set.insert(9));
        assert!(!set.remove(9));
        assert_eq!(set.universe(), 2);
    }
}
