%% -*- erlang -*-
%% bench/erlang/restart.erl: the BEAM twin of bench/restart.lua.
%% A one_for_one supervisor with one gen_server child whose init tells the
%% bench process it ran; kill the child and time until the restarted child's
%% init has run. Median of R restarts.
%%
%%   escript bench/erlang/restart.erl [R=1000]
%%   -> restart restart_us=<float> n=<R>
-module(restart).
-behaviour(supervisor).
-export([main/1, init/1, start_worker/1]).
-export([handle_call/3, handle_cast/2]).
-mode(compile).

main(Args) ->
    R = case Args of [] -> 1000; [A | _] -> list_to_integer(A) end,
    logger:set_primary_config(level, none),   % no supervisor reports: otplab's are off too
    Me = self(),
    {ok, _Sup} = supervisor:start_link(?MODULE, {sup, Me, R}),
    Child0 = receive {init_done, P0} -> P0 after 5000 -> exit(no_child) end,
    {Times, _} = lists:mapfoldl(fun(_, Child) ->
        T0 = erlang:monotonic_time(nanosecond),
        exit(Child, kill),
        New = receive {init_done, P} -> P after 5000 -> exit(no_restart) end,
        {erlang:monotonic_time(nanosecond) - T0, New}
    end, Child0, lists:seq(1, R)),
    Median = lists:nth((R + 1) div 2, lists:sort(Times)),
    io:format("restart restart_us=~.3f n=~b~n", [Median / 1000, R]).

start_worker(Bench) -> gen_server:start_link(?MODULE, {worker, Bench}, []).

%% supervisor and gen_server callbacks share init/1
init({sup, Bench, R}) ->
    {ok, {#{strategy => one_for_one, intensity => R + 10, period => 3600},
          [#{id => w, start => {?MODULE, start_worker, [Bench]}}]}};
init({worker, Bench}) ->
    Bench ! {init_done, self()},
    {ok, Bench}.

handle_call(Req, _From, S) -> {reply, Req, S}.
handle_cast(_, S) -> {noreply, S}.
