package statuspage

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"strings"
)

//go:embed page.html
var pageText string

// page is parsed once; a template is immutable after parsing, so sharing
// it is not process-wide state anyone can change.
var page = template.Must(template.New("page").Funcs(template.FuncMap{"duration": Duration, "join": joinComma}).Parse(pageText))

// Render writes the page for d.
func Render(w io.Writer, d Data) error { return page.Execute(w, d) }

// Handler serves the page (GET, HEAD), built from data at each request.
func Handler(data func() Data) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		if err := Render(&buf, data()); err != nil {
			http.Error(w, "status page: "+err.Error(), http.StatusInternalServerError)
			return
		}
		headers(w, "text/html; charset=utf-8")
		w.Write(buf.Bytes())
	})
}

// JSONHandler serves the same data as JSON.
func JSONHandler(data func() Data) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := json.MarshalIndent(data(), "", "  ")
		if err != nil {
			http.Error(w, "status: "+err.Error(), http.StatusInternalServerError)
			return
		}
		headers(w, "application/json")
		w.Write(append(b, '\n'))
	})
}

// headers: no caching, no sniffing, no framing, and nothing but the
// page's own inline style may load.
func headers(w http.ResponseWriter, contentType string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
}

func joinComma(ss []string) string { return strings.Join(ss, ",") }
