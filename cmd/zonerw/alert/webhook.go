package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Webhook POSTs each event as JSON: {"text": "...", "zonerw": {event}}.
// The "text" field is what Slack and Mattermost incoming webhooks show.
// A webhook URL often holds a secret token, so the URL never appears in
// an error or a log: only its host does.
type Webhook struct {
	URL     string
	Timeout time.Duration // per attempt; 0 means 10s
	Client  *http.Client  // nil: a client without a global transport's state
}

var _ Sink = (*Webhook)(nil)

// Name is "webhook HOST".
func (w *Webhook) Name() string {
	if u, err := url.Parse(w.URL); err == nil {
		return "webhook " + u.Host
	}
	return "webhook"
}

// webhookBody is what is posted.
type webhookBody struct {
	Text   string `json:"text"`
	Zonerw Event  `json:"zonerw"`
}

// Send posts ev once; any answer but 2xx is an error.
func (w *Webhook) Send(ctx context.Context, ev Event) error {
	body, err := json.Marshal(webhookBody{Text: ev.Text(), Zonerw: ev})
	if err != nil {
		return fmt.Errorf("%s: encode: %w", w.Name(), err)
	}
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: bad URL", w.Name()) // the parse error would quote the URL
	}
	req.Header.Set("Content-Type", "application/json")
	client := w.Client
	if client == nil {
		client = &http.Client{}
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // *url.Error quotes the URL, and with it any token
		}
		return fmt.Errorf("%s: post: %w", w.Name(), err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s: answered %s", w.Name(), resp.Status)
	}
	return nil
}
