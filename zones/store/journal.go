package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/zonerw/zonerw/zones"
	"github.com/zonerw/zonerw/zones/crashpoint"
)

// The journal file: "ZRWJNL01", then entries, each
//
//	length  uint32 (of the payload)
//	crc32c  uint32 (of the payload)
//	payload zones.Delta.MarshalBinary
const journalMagic = "ZRWJNL01"

// maxEntry bounds one journal entry; a larger length means a damaged file.
const maxEntry = 1 << 30

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// journalRead is what reading a journal file found.
type journalRead struct {
	entries []zones.Delta
	good    int64  // bytes up to the end of the last good entry
	torn    string // what was wrong past good, if anything
	// damaged is set when the entry past good is whole but does not
	// check out and more bytes follow it: not a tail torn by a kill
	// during an append (that can only cut the last entry short), but
	// damage in the middle of the file.
	damaged bool
}

// readJournal reads every whole entry of the journal at path. Reading
// stops at the first entry that is cut short or does not check out (a
// kill during an append); what follows is reported in torn, never used.
func readJournal(path string) (journalRead, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return journalRead{}, err
	}
	var jr journalRead
	if len(data) == 0 { // its first append was taken back (appendEntry)
		return jr, nil
	}
	if len(data) < len(journalMagic) || string(data[:len(journalMagic)]) != journalMagic {
		jr.torn = "not a zonerw journal"
		return jr, nil
	}
	off := len(journalMagic)
	jr.good = int64(off)
	for off < len(data) {
		if off+8 > len(data) {
			jr.torn = fmt.Sprintf("an entry header cut short at byte %d", off)
			break
		}
		n := binary.BigEndian.Uint32(data[off:])
		sum := binary.BigEndian.Uint32(data[off+4:])
		if n > maxEntry || off+8+int(n) > len(data) {
			jr.torn = fmt.Sprintf("an entry cut short at byte %d", off)
			break
		}
		payload := data[off+8 : off+8+int(n)]
		if crc32.Checksum(payload, castagnoli) != sum {
			jr.torn = fmt.Sprintf("an entry whose checksum does not match at byte %d", off)
			jr.damaged = off+8+int(n) < len(data)
			break
		}
		d, err := zones.UnmarshalDelta(payload)
		if err != nil {
			jr.torn = fmt.Sprintf("an entry that does not decode at byte %d: %v", off, err)
			jr.damaged = off+8+int(n) < len(data)
			break
		}
		jr.entries = append(jr.entries, d)
		off += 8 + int(n)
		jr.good = int64(off)
	}
	return jr, nil
}

// frame encodes one entry with its length and checksum.
func frame(d zones.Delta) ([]byte, error) {
	payload, err := d.MarshalBinary()
	if err != nil {
		return nil, err
	}
	out := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint32(out, uint32(len(payload)))
	binary.BigEndian.PutUint32(out[4:], crc32.Checksum(payload, castagnoli))
	return append(out, payload...), nil
}

// appendEntry appends d to the journal at path and syncs it; a journal
// that does not exist yet, or is empty, is written with its magic first
// (and its directory synced, so the new name survives a power cut). An append that fails
// (a full disk) is taken back: the journal is cut to its size before, so
// the next start does not find a torn entry and blame a crash for it.
func appendEntry(path string, d zones.Delta) error {
	b, err := frame(d)
	if err != nil {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("journal %s: %w", path, err)
	}
	before := st.Size()
	if before == 0 { // new, or emptied by an append taken back
		b = append([]byte(journalMagic), b...)
	}
	_, err = f.Write(b)
	if err == nil {
		crashpoint.Hit(crashpoint.JournalWritten, filepath.Base(path))
		err = f.Sync()
	}
	if err == nil {
		crashpoint.Hit(crashpoint.JournalSynced, filepath.Base(path))
	} else if terr := f.Truncate(before); terr != nil {
		err = fmt.Errorf("%w (and the partial entry could not be cut off: %v)", err, terr)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("journal %s: append: %w", path, err)
	}
	if before == 0 { // the name may be new: make it survive a power cut
		return syncDirOf(path)
	}
	return nil
}

// writeJournal replaces the journal at path with entries, atomically.
func writeJournal(path string, entries []zones.Delta) error {
	return zones.WriteFileFunc(path, 0o600, func(w io.Writer) error {
		var buf bytes.Buffer
		buf.WriteString(journalMagic)
		for _, d := range entries {
			b, err := frame(d)
			if err != nil {
				return err
			}
			buf.Write(b)
		}
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// cutJournal truncates the journal at path to its first good bytes.
func cutJournal(path string, good int64) error {
	if err := os.Truncate(path, good); err != nil {
		return fmt.Errorf("journal %s: cut the torn tail off: %w", path, err)
	}
	return nil
}

func syncDirOf(path string) error {
	d, err := os.Open(dirOf(path))
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
