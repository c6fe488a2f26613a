// The tests start worker processes and count them; run one class at a time so hosts never overlap (2 shared cores).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
