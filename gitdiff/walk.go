package gitdiff

import (
	"container/heap"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// clockSkew is how far a commit's date may run ahead of its parent's before
// the date-ordered walks below give up on their early stop. git uses a
// similar slop; commits dated a day out of order are rare.
const clockSkew = 24 * time.Hour

// commitQueue is a max-heap of commits by committer date.
type commitQueue []*object.Commit

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	return q[i].Committer.When.After(q[j].Committer.When)
}
func (q commitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)   { *q = append(*q, x.(*object.Commit)) }
func (q *commitQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

// ancestry answers "is c reachable from the roots?" by painting the roots'
// ancestors lazily, newest first, only as deep as the questions need.
type ancestry struct {
	repo  *Repo
	seen  map[plumbing.Hash]bool
	queue commitQueue
}

func newAncestry(r *Repo, roots ...*object.Commit) *ancestry {
	a := &ancestry{repo: r, seen: map[plumbing.Hash]bool{}}
	for _, c := range roots {
		if c != nil && !a.seen[c.Hash] {
			a.seen[c.Hash] = true
			heap.Push(&a.queue, c)
		}
	}
	return a
}

// reaches reports whether c is an ancestor of (or equal to) a root. Queries
// should come in roughly decreasing date order, as a first-parent walk does.
func (a *ancestry) reaches(c *object.Commit) (bool, error) {
	limit := c.Committer.When.Add(-clockSkew)
	for !a.seen[c.Hash] && a.queue.Len() > 0 && !a.queue[0].Committer.When.Before(limit) {
		top := heap.Pop(&a.queue).(*object.Commit)
		for _, ph := range top.ParentHashes {
			if a.seen[ph] {
				continue
			}
			if a.repo.shallow[top.Hash] {
				break // parents are not in this clone
			}
			p, err := a.repo.commit(ph)
			if err != nil {
				return false, err
			}
			a.seen[ph] = true
			heap.Push(&a.queue, p)
		}
	}
	return a.seen[c.Hash], nil
}

// mergeBase finds a best common ancestor of a and b, or nil if they share
// no history. It paints down from both sides in date order, as git does,
// and stops once every queued commit is already below a common ancestor.
func (r *Repo) mergeBase(a, b *object.Commit) (*object.Commit, error) {
	if a.Hash == b.Hash {
		return a, nil
	}
	const (
		fromA = 1 << iota
		fromB
		stale
	)
	flags := map[plumbing.Hash]int{a.Hash: fromA, b.Hash: fromB}
	var q commitQueue
	heap.Push(&q, a)
	heap.Push(&q, b)
	var best *object.Commit
	for q.Len() > 0 && anyLive(q, flags, stale) {
		c := heap.Pop(&q).(*object.Commit)
		f := flags[c.Hash]
		if f&(fromA|fromB) == fromA|fromB && f&stale == 0 {
			if best == nil {
				best = c
			}
			f |= stale
			flags[c.Hash] = f
		}
		if r.shallow[c.Hash] {
			continue
		}
		for _, ph := range c.ParentHashes {
			pf := flags[ph]
			if pf&f == f {
				continue
			}
			p, err := r.commit(ph)
			if err != nil {
				return nil, err
			}
			flags[ph] = pf | f
			if pf == 0 {
				heap.Push(&q, p)
			}
		}
	}
	return best, nil
}

// anyLive reports whether some queued commit is not yet known to lie below
// a common ancestor.
func anyLive(q commitQueue, flags map[plumbing.Hash]int, stale int) bool {
	for _, c := range q {
		if flags[c.Hash]&stale == 0 {
			return true
		}
	}
	return false
}
