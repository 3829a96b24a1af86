package fault

// Schedule answers "which faults are active now" for a running engine
// without allocating: it recomputes the active set only when the time
// crosses a fault's start or end.
type Schedule struct {
	faults []Fault
	origin int64
	next   int64 // next time the active set may change
	active [NumKinds]float64
	on     [NumKinds]bool
}

// NewSchedule prepares p for a run that starts at origin (ns). A nil plan
// schedules nothing.
func NewSchedule(p *Plan, origin int64) *Schedule {
	s := &Schedule{origin: origin, next: origin}
	if p != nil {
		s.faults = append([]Fault(nil), p.Faults...)
	}
	s.Update(origin)
	return s
}

// Update moves the schedule to now (ns).
func (s *Schedule) Update(now int64) {
	if now < s.next && now >= s.origin {
		return
	}
	s.active = [NumKinds]float64{}
	s.on = [NumKinds]bool{}
	const never = int64(^uint64(0) >> 1)
	s.next = never
	for i := range s.faults {
		f := &s.faults[i]
		start := s.origin + int64(f.Start)
		end := start + int64(f.Duration)
		switch {
		case now < start:
			s.next = min(s.next, start)
		case now < end:
			s.next = min(s.next, end)
			m := f.Magnitude
			if m == 0 {
				m = DefaultMagnitude(f.Kind)
			}
			s.on[f.Kind] = true
			s.active[f.Kind] = max(s.active[f.Kind], m)
		}
	}
}

// Active reports whether a fault of kind k is active and its magnitude.
func (s *Schedule) Active(k Kind) (float64, bool) { return s.active[k], s.on[k] }

// Elapsed is how long (ns) the longest-running active fault of kind k has
// been active at now, and its total duration; 0, 0 when none is active.
func (s *Schedule) Elapsed(k Kind, now int64) (elapsed, total int64) {
	for i := range s.faults {
		f := &s.faults[i]
		if f.Kind != k {
			continue
		}
		start := s.origin + int64(f.Start)
		end := start + int64(f.Duration)
		if now >= start && now < end && now-start > elapsed {
			elapsed, total = now-start, int64(f.Duration)
		}
	}
	return elapsed, total
}
