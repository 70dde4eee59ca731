%% -*- erlang -*-
%% bench/erlang/scan.erl: the BEAM twin of bench/scan.lua. A selective
%% receive of {wanted, K} that skips Q queued {unrelated, I} messages;
%% median of R receives, per skipped message.
%%
%%   escript bench/erlang/scan.erl [Q=10000] [R=200]
%%   -> scan ns_per_skipped=<float> queued=<Q> n=<R>
-module(scan).
-export([main/1]).
-mode(compile).

main(Args) ->
    {Q, R} = case Args of
                 [] -> {10000, 200};
                 [A] -> {list_to_integer(A), 200};
                 [A, B | _] -> {list_to_integer(A), list_to_integer(B)}
             end,
    Me = self(),
    [Me ! {unrelated, I} || I <- lists:seq(1, Q)],
    receive {wanted, 0} -> ok after 0 -> ok end,
    Times = [scan(Me, K) || K <- lists:seq(1, R)],
    {message_queue_len, Q} = process_info(Me, message_queue_len),
    Sorted = lists:sort(Times),
    Median = lists:nth((R + 1) div 2, Sorted),
    io:format("scan ns_per_skipped=~.3f queued=~b n=~b~n", [Median / Q, Q, R]).

scan(Me, K) ->
    T0 = erlang:monotonic_time(nanosecond),
    Me ! {wanted, K},
    receive {wanted, K} -> ok end,
    erlang:monotonic_time(nanosecond) - T0.
