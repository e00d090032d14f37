package ghfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/deployorder/deployorder/render"
)

// Server serves
//
//	GET   /repos/{owner}/{repo}/issues/{n}/comments   (PerPage a page, with a Link header)
//	POST  /repos/{owner}/{repo}/issues/{n}/comments
//	PATCH /repos/{owner}/{repo}/issues/comments/{id}
//
// to requests that carry "Authorization: Bearer TOKEN"; anything else is
// 401 or 404.
type Server struct {
	URL     string // base URL, without a trailing slash
	PerPage int    // page size, whatever the client asks; 2 by default

	srv   *httptest.Server
	token string

	mu       sync.Mutex
	comments []Comment
	nextID   int64
	requests []string
	failures map[string][]Failure
}

// Comment is a stored comment.
type Comment struct {
	ID    int64
	Issue int
	Body  string
}

// Failure is an answer to give instead of serving a request.
type Failure struct {
	Status  int
	Headers map[string]string
	Message string // the JSON error's message
}

// New starts a server that accepts token; it stops when the test ends.
func New(t testing.TB, token string) *Server {
	s := &Server{PerPage: 2, token: token, nextID: 100, failures: map[string][]Failure{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues/{n}/comments", s.list)
	mux.HandleFunc("POST /repos/{owner}/{repo}/issues/{n}/comments", s.create)
	mux.HandleFunc("PATCH /repos/{owner}/{repo}/issues/comments/{id}", s.edit)
	s.srv = httptest.NewServer(s.guard(mux))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Close stops the server, so that requests fail to connect.
func (s *Server) Close() { s.srv.Close() }

// FailNext makes the next requests with method get these answers, in order.
func (s *Server) FailNext(method string, fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], fs...)
}

// Add puts comments with these bodies on issue n.
func (s *Server) Add(n int, bodies ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range bodies {
		s.nextID++
		s.comments = append(s.comments, Comment{ID: s.nextID, Issue: n, Body: b})
	}
}

// Comments returns the comments on issue n, oldest first.
func (s *Server) Comments(n int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.Issue == n {
			out = append(out, c)
		}
	}
	return out
}

// Ours returns the comments on issue n whose first line is render.Marker.
func (s *Server) Ours(n int) []Comment {
	var out []Comment
	for _, c := range s.Comments(n) {
		if strings.HasPrefix(strings.TrimLeft(c.Body, " \r\n"), render.Marker) {
			out = append(out, c)
		}
	}
	return out
}

// TakeRequests returns the requests so far, as "METHOD /path?query", and
// forgets them.
func (s *Server) TakeRequests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.requests
	s.requests = nil
	return r
}

func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
		var f *Failure
		if q := s.failures[r.Method]; len(q) > 0 {
			f = &q[0]
			s.failures[r.Method] = q[1:]
		}
		s.mu.Unlock()
		if f != nil {
			for k, v := range f.Headers {
				w.Header().Set(k, v)
			}
			writeJSON(w, f.Status, map[string]string{"message": f.Message, "documentation_url": "https://docs.github.com/rest"})
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+s.token {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) json(c Comment) map[string]any {
	return map[string]any{"id": c.ID, "body": c.Body, "user": map[string]any{"login": "github-actions[bot]"},
		"html_url": fmt.Sprintf("https://github.example/o/r/pull/%d#issuecomment-%d", c.Issue, c.ID)}
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.PathValue("n"))
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	var all []map[string]any
	for _, c := range s.Comments(n) {
		all = append(all, s.json(c))
	}
	lo, hi := min((page-1)*s.PerPage, len(all)), min(page*s.PerPage, len(all))
	if hi < len(all) {
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?page=%d&per_page=%d>; rel="next"`, s.URL, r.URL.Path, page+1, s.PerPage))
	}
	writeJSON(w, http.StatusOK, append([]map[string]any{}, all[lo:hi]...))
}

func readBody(w http.ResponseWriter, r *http.Request) (string, bool) {
	var in struct{ Body string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Body == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "body is missing"})
		return "", false
	}
	return in.Body, true
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.PathValue("n"))
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	s.nextID++
	c := Comment{ID: s.nextID, Issue: n, Body: body}
	s.comments = append(s.comments, c)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, s.json(c))
}

func (s *Server) edit(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.comments {
		if s.comments[i].ID == id {
			s.comments[i].Body = body
			writeJSON(w, http.StatusOK, s.json(s.comments[i]))
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}
