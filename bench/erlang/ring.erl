%% -*- erlang -*-
%% bench/erlang/ring.erl: the BEAM twin of bench/ring.lua.
%%
%% The ring is N processes: the main process plus N-1 spawned workers, so one
%% lap is exactly N messages and a run is N*M. The token is {token, K}; every
%% hop sends a fresh tuple with K + 1, so it comes back the last time with
%% K = N*M. After one untimed warm-up lap, timed from the first send until
%% that last return.
%%
%%   escript bench/erlang/ring.erl [N=1000] [M=100]
%%   erlc ring.erl && erl -noshell -run ring main N M -s init stop
%%   -> ring msgs_per_s=<float> n=<N> m=<M>
%%
%% (The first line is a comment because escript skips it; erlc reads it.)
-module(ring).
-export([main/1]).
-mode(compile).

main(Args) ->
    {N, M} = case Args of
                 [] -> {1000, 100};
                 [A] -> {list_to_integer(A), 100};
                 [A, B | _] -> {list_to_integer(A), list_to_integer(B)}
             end,
    true = N >= 1 andalso M >= 1,
    %% Build the ring backwards: the last worker sends to us.
    First = lists:foldl(fun(_, Next) -> spawn(fun() -> worker(Next) end) end,
                        self(), lists:seq(1, N - 1)),
    First ! {token, 1},                 % one untimed warm-up lap, as in ring.lua
    N = loop(First, N),
    Total = N * M,
    T0 = erlang:monotonic_time(microsecond),
    First ! {token, 1},
    Total = loop(First, Total),
    T1 = erlang:monotonic_time(microsecond),
    %% Take the ring down, outside the measurement.
    First ! stop,
    receive stop -> ok end,
    Us = max(T1 - T0, 1),
    io:format("ring msgs_per_s=~.1f n=~b m=~b~n", [Total * 1.0e6 / Us, N, M]).

loop(First, Total) ->
    receive
        {token, K} when K >= Total -> K;
        {token, K} -> First ! {token, K + 1}, loop(First, Total)
    end.

worker(Next) ->
    receive
        {token, K} -> Next ! {token, K + 1}, worker(Next);
        stop -> Next ! stop
    end.
