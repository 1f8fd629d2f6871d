package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// errUnexpectedHost is returned, without sending anything, for a request
// that would carry the token to a host other than the configured API.
var errUnexpectedHost = errors.New("refusing to send the token to a host other than the configured API")

// rewriter is the RoundTripper under every library call. It sends requests
// for the library's built-in base URL to the configured one, refuses any
// other host, bounds each request by a timeout, and records the response in
// the context's exchange.
type rewriter struct {
	from    *url.URL // the library's built-in base
	to      *url.URL // where requests go
	timeout time.Duration
	next    http.RoundTripper
}

func newRewriter(k Kind, apiURL string, timeout time.Duration, next http.RoundTripper) (*rewriter, error) {
	from, err := url.Parse(defaultBase(k))
	if err != nil {
		return nil, fmt.Errorf("built-in base url: %w", err)
	}
	to := from
	if apiURL != "" {
		if to, err = url.Parse(strings.TrimSuffix(apiURL, "/")); err != nil {
			return nil, fmt.Errorf("api_url: %w", err)
		}
	}
	return &rewriter{from: from, to: to, timeout: timeout, next: next}, nil
}

// RoundTrip implements http.RoundTripper. It does not modify req.
func (rt *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := exchangeFrom(req.Context())
	u, err := rt.target(req.URL)
	if err != nil {
		if ex != nil {
			ex.start(req.Method, req.URL.Path)
		}
		closeBody(req)
		return nil, err
	}
	path := strings.TrimPrefix(u.Path, rt.to.Path)
	if ex != nil {
		ex.start(req.Method, path)
	}
	ctx, cancel := context.WithTimeout(req.Context(), rt.timeout)
	out := req.Clone(ctx)
	out.URL, out.Host = u, ""
	if err := adjustCreate(out, path); err != nil {
		cancel()
		return nil, err
	}
	resp, err := rt.next.RoundTrip(out)
	if err != nil {
		if ex != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && req.Context().Err() == nil {
			ex.timeout()
		}
		cancel()
		return nil, err
	}
	if ex != nil {
		ex.got(resp)
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	observe(req.Context(), ex, req.Method, path, resp)
	return resp, nil
}

// base is the configured API base, as errors should name it.
func (rt *rewriter) base() string { return rt.to.String() }

// target maps a URL under the built-in base onto the configured base, and
// refuses any URL whose host is not the configured one.
func (rt *rewriter) target(in *url.URL) (*url.URL, error) {
	u := *in
	if u.Scheme == rt.from.Scheme && u.Host == rt.from.Host && underPath(u.Path, rt.from.Path) {
		u.Scheme, u.Host = rt.to.Scheme, rt.to.Host
		u.Path = rt.to.Path + strings.TrimPrefix(u.Path, rt.from.Path)
		if u.RawPath != "" {
			u.RawPath = rt.to.EscapedPath() + strings.TrimPrefix(u.RawPath, rt.from.EscapedPath())
		}
	}
	if u.Host != rt.to.Host || u.Scheme != rt.to.Scheme {
		return nil, fmt.Errorf("%w: %s://%s", errUnexpectedHost, u.Scheme, u.Host)
	}
	return &u, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// cancelOnClose releases a request's timeout once its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// underPath reports whether path is base or below it.
func underPath(path, base string) bool {
	return path == base || strings.HasPrefix(path, base+"/")
}
