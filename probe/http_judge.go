package probe

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// judge decides a response: the status first, then the body.
func (h *HTTP) judge(status int, body []byte) (bool, string) {
	got := fmt.Sprintf("HTTP %d", status)
	if !h.statusAccepted(status) {
		return false, fmt.Sprintf("%s (want %s)", got, h.wantStatus())
	}
	if h.BodyContains != "" && !bytes.Contains(body, []byte(h.BodyContains)) {
		return false, fmt.Sprintf("body lacks %q", h.BodyContains)
	}
	return true, got
}

func (h *HTTP) statusAccepted(status int) bool {
	if len(h.ExpectStatus) == 0 {
		return status >= 200 && status <= 299
	}
	for _, want := range h.ExpectStatus {
		if status == want {
			return true
		}
	}
	return false
}

// wantStatus describes the accepted statuses: "2xx" or "200, 204".
func (h *HTTP) wantStatus() string {
	if len(h.ExpectStatus) == 0 {
		return "2xx"
	}
	codes := make([]string, len(h.ExpectStatus))
	for i, code := range h.ExpectStatus {
		codes[i] = strconv.Itoa(code)
	}
	return strings.Join(codes, ", ")
}
