package providers

// ClearFaults drops every queued fault, so the API answers normally again
// (an API that comes back). A request already hanging stays hung until
// its client gives up.
func (c *core) ClearFaults() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = nil
}
