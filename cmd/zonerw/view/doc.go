// Package view is what zonerw status, explain, drill and log show: the
// answers the daemon gives on its admin socket (Status, Explain), built
// from the daemon's pieces or from the state file of the last run, and
// their rendering for people. Rendering is a pure function of the view
// and the time it is shown at.
package view
