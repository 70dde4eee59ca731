%% -*- erlang -*-
%% bench/erlang/ref_receive.erl: the BEAM twin of bench/ref_receive.lua.
%% Request/reply matched on a fresh ref with Q unrelated messages queued;
%% median of R round trips.
%%
%%   escript bench/erlang/ref_receive.erl [Q=10000] [R=1000]
%%   -> ref_receive rtt_us=<float> queued=<Q> n=<R>
-module(ref_receive).
-export([main/1]).
-mode(compile).

main(Args) ->
    {Q, R} = case Args of
                 [] -> {10000, 1000};
                 [A] -> {list_to_integer(A), 1000};
                 [A, B | _] -> {list_to_integer(A), list_to_integer(B)}
             end,
    Echo = spawn(fun echo/0),
    Me = self(),
    [Me ! {unrelated, I} || I <- lists:seq(1, Q)],
    Times = [round_trip(Echo) || _ <- lists:seq(1, R)],
    {message_queue_len, Q} = process_info(Me, message_queue_len),
    Sorted = lists:sort(Times),
    Median = lists:nth((R + 1) div 2, Sorted),
    io:format("ref_receive rtt_us=~.3f queued=~b n=~b~n", [Median / 1000, Q, R]),
    exit(Echo, kill).

round_trip(Echo) ->
    T0 = erlang:monotonic_time(nanosecond),
    Ref = make_ref(),
    Echo ! {Ref, self()},
    receive {Ref, pong} -> ok end,
    erlang:monotonic_time(nanosecond) - T0.

echo() ->
    receive {Ref, From} -> From ! {Ref, pong} end,
    echo().
